import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  encodeSubscription,
  type CommittedOffset,
  type JoinGroupResponse,
  type MemberAssignment,
} from '@gregor/proto';
import { GregorError } from '../errors';
import type { Assignor, RebalanceProtocol } from './assignors/assignor';
import type { Clock, Timer } from './clock';
import { groupError, groupErrorAction } from './group-errors';
import type { GroupRpc } from './group-rpc';
import { assignGroup } from './leader-assignment';
import type { SubscriptionMatcher } from './subscription-matcher';
import { fromLists, toLists, without, type TopicPartition } from './topic-partitions';

/** What membership asks of the consumer it runs in. */
export interface MembershipHost {
  /** Partition count of every topic in the cluster. */
  partitionCounts(): Promise<Map<string, number>>;
  assigned(partitions: TopicPartition[]): Promise<void>;
  /** Given up in good order: the member may still commit them. */
  revoked(partitions: TopicPartition[]): Promise<void>;
  /** Gone already (the generation ended without us): someone else may own them now. */
  lost(partitions: TopicPartition[]): Promise<void>;
  /** Membership cannot go on (fenced, refused by the coordinator). */
  failed(error: GregorError): void;
}

export interface MembershipOptions {
  group: string;
  groupInstanceId?: string;
  clientId?: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  maxPollIntervalMs: number;
  metadataMaxAgeMs: number;
  /** In order of preference; the group uses the first one every member has. */
  assignors: readonly Assignor[];
  backoff(attempt: number): number;
}

const NO_GENERATION = -1;

/**
 * One member's side of Kafka's classic group protocol: join, sync (computing the assignment when
 * this member leads), heartbeat, and join again whenever the coordinator or the member's own view
 * of the topics asks for it. Eager (any assignor eager): everything owned is revoked before a
 * join. Cooperative: owned partitions stay through the join and only those moved away are
 * revoked, after which the member joins again so they reach their new owner.
 */
export class GroupMembership {
  memberId = '';
  generation = NO_GENERATION;
  /** The assignor the group chose at the last join. */
  protocol = '';
  readonly rebalanceProtocol: RebalanceProtocol;
  private owned: TopicPartition[] = [];
  private rejoinNeeded = true;
  private rejoinReason = 'joining';
  private stopped = false;
  /** The application stayed away longer than maxPollIntervalMs: out of the group until it pulls again. */
  private pollExpired = false;
  private inPoll = false;
  private lastPoll: number;
  /** Own subscription at the last join. */
  private joinedTopics: string[] = [];
  /** As leader: the group's topics and the partition counts its assignment used. */
  private led: { topics: string[]; partitionCounts: Map<string, number> } | null = null;
  /** Bumped whenever heartbeats stop, so a late answer to an old one changes nothing. Heartbeats run from sync until the next join, or until the generation is known to be gone. */
  private epoch = 0;
  private timers: Timer[] = [];
  private readonly wakers = new Set<() => void>();
  /** Listener calls one at a time, in order, whoever makes them. */
  private callbacks: Promise<void> = Promise.resolve();
  private closing: Promise<void> | null = null;

  constructor(
    private readonly options: MembershipOptions,
    private readonly matcher: SubscriptionMatcher,
    private readonly rpc: GroupRpc,
    private readonly host: MembershipHost,
    private readonly clock: Clock,
  ) {
    if (options.assignors.length === 0) throw GregorError.invalid('a group member needs at least one assignor');
    this.rebalanceProtocol = options.assignors.every((a) => a.rebalanceProtocol === 'cooperative') ? 'cooperative' : 'eager';
    this.lastPoll = clock.now();
  }

  start(): void {
    void this.run();
  }

  /** Partitions this member owns now. */
  assignment(): TopicPartition[] {
    return this.owned.map((tp) => ({ ...tp }));
  }

  /** The application is waiting for records (true) or has been handed some (false). */
  notePoll(polling: boolean): void {
    this.inPoll = polling;
    this.lastPoll = this.clock.now();
    if (polling && this.pollExpired) {
      this.pollExpired = false;
      this.requestRejoin('the application pulls records again');
    }
  }

  /** Commits as this member of this generation; a fenced commit rejects with the coordinator's reason. */
  async commit(offsets: CommittedOffset[]): Promise<void> {
    if (!this.memberId) throw groupError('UNKNOWN_MEMBER_ID', `not a member of group ${this.options.group} yet`);
    if (this.generation === NO_GENERATION) throw groupError('ILLEGAL_GENERATION', `no current generation of group ${this.options.group}`);
    try {
      await this.rpc.commit({ group: this.options.group, offsets, generation: this.generation, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId ?? '' });
    } catch (err) {
      const error = GregorError.from(err);
      this.onGroupError(error);
      throw error;
    }
  }

  /** Revokes what is owned and leaves, unless static: a static member keeps its place for the session timeout. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const failed = this.stopped;
    this.stopped = true;
    this.stopTimers();
    this.wake();
    if (failed) return;
    const owned = this.takeOwned();
    if (owned.length > 0) await this.serial(() => (this.generation === NO_GENERATION ? this.host.lost(owned) : this.host.revoked(owned)));
    await this.leave('the consumer is closing');
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.rejoinNeeded || this.pollExpired) {
        await this.idle();
        continue;
      }
      try {
        await this.rebalance();
      } catch (err) {
        await this.fail(GregorError.from(err));
      }
    }
  }

  private async rebalance(): Promise<void> {
    const existing = await this.retrying(() => this.host.partitionCounts());
    if (!existing) return;
    const topics = this.matcher.match(existing.keys());
    await this.prepare(topics);
    const joined = await this.join(topics);
    if (!joined) return;
    this.joinedTopics = topics;
    const assignments = joined.leader === joined.memberId ? await this.lead(joined) : [];
    if (!assignments) return;
    const assignment = await this.sync(joined, assignments);
    if (!assignment) return;
    this.rejoinNeeded = false;
    this.startTimers();
    await this.apply(fromLists(decodeAssignment(assignment).partitions));
  }

  /** Kafka's onJoinPrepare: what a member gives up before it joins. */
  private async prepare(topics: string[]): Promise<void> {
    if (this.owned.length === 0) return;
    if (this.generation === NO_GENERATION) {
      const lost = this.takeOwned();
      await this.serial(() => this.host.lost(lost));
      return;
    }
    const subscribed = new Set(topics);
    const revoked = this.rebalanceProtocol === 'eager' ? this.owned : this.owned.filter((tp) => !subscribed.has(tp.topic));
    if (revoked.length === 0) return;
    this.owned = without(this.owned, revoked);
    await this.serial(() => this.host.revoked(revoked));
  }

  private async join(topics: string[]): Promise<JoinGroupResponse | null> {
    const metadata = encodeSubscription({ topics, ownedPartitions: toLists(this.owned) });
    const protocols = this.options.assignors.map((a) => ({ name: a.name, metadata }));
    // A pending join keeps the member in the group; heartbeats kept it there through the revoke.
    this.stopTimers();
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const joined = await this.rpc.join({
          group: this.options.group,
          memberId: this.memberId,
          groupInstanceId: this.options.groupInstanceId ?? '',
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols,
          sessionTimeoutMs: this.options.sessionTimeoutMs,
          rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
          clientId: this.options.clientId ?? '',
          reason: this.rejoinReason,
        });
        this.memberId = joined.memberId;
        this.generation = joined.generation;
        this.protocol = joined.protocolName;
        if (!this.stopped) return joined;
        // Closed while the join waited: the coordinator counts us in, so take the place back out.
        await this.leave('the consumer closed while joining');
        return null;
      } catch (err) {
        const error = GregorError.from(err);
        const action = groupErrorAction(error);
        if (action === 'reset-member') {
          this.memberId = '';
          if (attempt === 0) continue;
        } else if (action === 'fatal' || action === 'other') {
          throw error;
        }
        await this.idle(this.options.backoff(attempt));
      }
    }
    return null;
  }

  /** As leader: the assignment, with partition counts read after everyone joined. */
  private async lead(joined: JoinGroupResponse): Promise<MemberAssignment[] | null> {
    const assignor = this.options.assignors.find((a) => a.name === joined.protocolName);
    if (!assignor) throw groupError('INCONSISTENT_GROUP_PROTOCOL', `the group chose assignor ${JSON.stringify(joined.protocolName)}, which this member does not have`);
    const existing = await this.retrying(() => this.host.partitionCounts());
    if (!existing) return null;
    const { assignments, topics, partitionCounts } = assignGroup(assignor, joined.members, existing);
    this.led = { topics, partitionCounts };
    return assignments;
  }

  private async sync(joined: JoinGroupResponse, assignments: MemberAssignment[]): Promise<Buffer | null> {
    try {
      const synced = await this.rpc.sync({
        group: this.options.group,
        generation: joined.generation,
        memberId: joined.memberId,
        groupInstanceId: this.options.groupInstanceId ?? '',
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: joined.protocolName,
        assignments,
      });
      return this.stopped ? null : synced.assignment;
    } catch (err) {
      const error = GregorError.from(err);
      const action = groupErrorAction(error);
      if (action === 'fatal' || action === 'other') throw error;
      this.onGroupError(error);
      if (action === 'retry') await this.idle(this.options.backoff(0));
      return null;
    }
  }

  private async apply(assigned: TopicPartition[]): Promise<void> {
    const revoked = without(this.owned, assigned);
    const added = without(assigned, this.owned);
    this.owned = assigned;
    if (revoked.length > 0) {
      // Cooperative: what moved is given up now and handed over in the next round.
      await this.serial(() => this.host.revoked(revoked));
      this.requestRejoin('partitions were revoked');
    }
    await this.serial(() => this.host.assigned(added));
  }

  private startTimers(): void {
    const epoch = this.epoch;
    this.timers = [
      // At once: the coordinator holds it, so a rebalance that starts right after this one is heard of at once too.
      this.clock.after(0, () => void this.heartbeat(epoch)),
      this.clock.after(this.options.metadataMaxAgeMs, () => void this.watchMetadata(epoch)),
    ];
  }

  private stopTimers(): void {
    this.epoch++;
    for (const timer of this.timers) timer.cancel();
    this.timers = [];
  }

  private async heartbeat(epoch: number): Promise<void> {
    if (epoch !== this.epoch) return;
    if (!this.inPoll && this.clock.now() - this.lastPoll > this.options.maxPollIntervalMs) {
      await this.leaveForPollTimeout();
      return;
    }
    const interval = this.options.heartbeatIntervalMs;
    const sent = this.clock.now();
    try {
      // Held by the coordinator until the next one is due, or answered as soon as the group rebalances.
      await this.rpc.heartbeat({ group: this.options.group, generation: this.generation, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId ?? '', waitMs: interval });
    } catch (err) {
      if (epoch === this.epoch) this.onGroupError(GregorError.from(err));
    }
    const due = Math.max(0, interval - (this.clock.now() - sent));
    if (epoch === this.epoch) this.timers[0] = this.clock.after(due, () => void this.heartbeat(epoch));
  }

  /**
   * Every member re-reads topics so a pattern picks up new ones; the leader also rejoins when a
   * topic of the group changed its partition count, or appeared, since it assigned.
   */
  private async watchMetadata(epoch: number): Promise<void> {
    if (epoch !== this.epoch) return;
    try {
      const existing = await this.host.partitionCounts();
      if (epoch !== this.epoch) return;
      if (this.matcher.match(existing.keys()).join('\u0000') !== this.joinedTopics.join('\u0000')) {
        this.requestRejoin('the subscribed topics changed');
        return;
      }
      const led = this.led;
      if (led && led.topics.some((t) => existing.get(t) !== led.partitionCounts.get(t))) {
        this.requestRejoin('partition counts of the group\'s topics changed');
        return;
      }
    } catch {
      // Metadata unavailable for now: the next round asks again.
    }
    if (epoch === this.epoch) this.timers[1] = this.clock.after(this.options.metadataMaxAgeMs, () => void this.watchMetadata(epoch));
  }

  /** Kafka's maybeLeaveGroup on poll timeout: the application is stuck, so its partitions go to others. */
  private async leaveForPollTimeout(): Promise<void> {
    this.stopTimers();
    this.pollExpired = true;
    await this.leave('consumer poll timeout has expired');
    this.memberId = '';
    this.generation = NO_GENERATION;
    const lost = this.takeOwned();
    if (lost.length > 0) await this.serial(() => this.host.lost(lost));
  }

  private onGroupError(error: GregorError): void {
    switch (groupErrorAction(error)) {
      case 'rejoin':
        this.requestRejoin('the group is rebalancing');
        break;
      case 'reset-generation':
        this.stopTimers();
        this.generation = NO_GENERATION;
        this.requestRejoin('the generation ended');
        break;
      case 'reset-member':
        this.stopTimers();
        this.memberId = '';
        this.generation = NO_GENERATION;
        this.requestRejoin('the coordinator no longer knows this member');
        break;
      case 'fatal':
        void this.fail(error);
        break;
      default:
        break;
    }
  }

  private requestRejoin(reason: string): void {
    this.rejoinNeeded = true;
    this.rejoinReason = reason;
    this.wake();
  }

  private async fail(error: GregorError): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopTimers();
    this.wake();
    const lost = this.takeOwned();
    if (lost.length > 0) await this.serial(() => this.host.lost(lost));
    this.host.failed(error);
  }

  private async leave(reason: string): Promise<void> {
    if (this.options.groupInstanceId || !this.memberId) return;
    try {
      await this.rpc.leave({ group: this.options.group, members: [{ memberId: this.memberId, reason }] });
    } catch {
      // The coordinator drops the member after the session timeout anyway.
    }
  }

  private takeOwned(): TopicPartition[] {
    const owned = this.owned;
    this.owned = [];
    return owned;
  }

  private serial(call: () => Promise<void>): Promise<void> {
    const next = this.callbacks.then(call);
    this.callbacks = next.catch(() => undefined);
    return next;
  }

  /** Retries retriable failures with backoff until it succeeds or membership stops (null). */
  private async retrying<T>(call: () => Promise<T>): Promise<T | null> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        return await call();
      } catch (err) {
        const error = GregorError.from(err);
        if (!error.retriable) throw error;
        await this.idle(this.options.backoff(attempt));
      }
    }
    return null;
  }

  /** Waits for a wake-up, or for `ms` when given. */
  private idle(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: Timer | null = null;
      const done = (): void => {
        timer?.cancel();
        this.wakers.delete(done);
        resolve();
      };
      this.wakers.add(done);
      if (ms !== undefined) timer = this.clock.after(ms, done);
    });
  }

  private wake(): void {
    for (const done of [...this.wakers]) done();
  }
}
