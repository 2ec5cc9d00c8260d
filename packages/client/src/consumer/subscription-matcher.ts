/** Topics whose name starts so are the cluster's own (offsets, transactions): never matched by a pattern. */
const INTERNAL_PREFIX = '__';

/**
 * Which topics a subscription names. A list is taken as it is, whether the topics exist or not
 * (assignors give missing topics no partitions, and a topic created later is picked up by the
 * leader's metadata watch). A pattern matches existing, non-internal topics as RegExp#test
 * does (as in kafkajs; anchor it, /^orders-/, to match from the start of the name).
 */
export class SubscriptionMatcher {
  private readonly pattern: RegExp | null;
  private readonly topics: string[];

  constructor(subscription: readonly string[] | RegExp) {
    if (subscription instanceof RegExp) {
      // Without g or y, test() keeps no state between topics.
      this.pattern = new RegExp(subscription.source, subscription.flags.replace(/[gy]/g, ''));
      this.topics = [];
    } else {
      this.pattern = null;
      this.topics = [...new Set(subscription)].sort();
    }
  }

  /** The subscribed topics, sorted, given every topic that exists now. */
  match(existing: Iterable<string>): string[] {
    const pattern = this.pattern;
    if (!pattern) return this.topics;
    return [...existing].filter((topic) => !topic.startsWith(INTERNAL_PREFIX) && pattern.test(topic)).sort();
  }
}
