/** One partition as the client last learnt it. */
export interface PartitionRoute {
  /** Broker id of the leader; 0 = unknown (ask again before sending). */
  leader: number;
  replicas: number[];
}

export interface BrokerAddress {
  id: number;
  address: string;
}

/**
 * host:port with a host and a port. A broker the controller knows no address of yet is
 * described as ":0"; dialling that made Node warn (DEP0118) and could never connect.
 */
function dialable(address: string): boolean {
  return /^[^:].*:[1-9]\d*$/.test(address);
}

/**
 * What the client knows of the cluster: broker id -> address, and per topic
 * each partition's leader. Pure bookkeeping; the Cluster fills it from
 * DescribeCluster / DescribeTopic answers and from NOT_LEADER redirects.
 */
export class MetadataCache {
  private readonly brokers = new Map<number, string>();
  private readonly topics = new Map<string, PartitionRoute[]>();
  /** When each topic's partitions were last learnt (ms since the epoch). */
  private readonly learnedAt = new Map<string, number>();

  setBrokers(brokers: readonly BrokerAddress[]): void {
    for (const b of brokers) if (dialable(b.address)) this.brokers.set(b.id, b.address);
  }

  addressOf(brokerId: number): string | undefined {
    return this.brokers.get(brokerId);
  }

  knownAddresses(): string[] {
    return [...new Set(this.brokers.values())];
  }

  setTopic(topic: string, partitions: readonly PartitionRoute[], now = Date.now()): void {
    this.topics.set(topic, partitions.map((p) => ({ leader: p.leader, replicas: [...p.replicas] })));
    this.learnedAt.set(topic, now);
  }

  /** Whether a known topic's partitions were learnt over `maxAgeMs` ago (its partition count may have grown since). */
  isStale(topic: string, now: number, maxAgeMs: number): boolean {
    const at = this.learnedAt.get(topic);
    return at !== undefined && now - at > maxAgeMs;
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.length;
  }

  route(topic: string, partition: number): PartitionRoute | undefined {
    return this.topics.get(topic)?.[partition];
  }

  /** The leader's address, when both the leader and its address are known. */
  leaderAddress(topic: string, partition: number): string | undefined {
    const leader = this.route(topic, partition)?.leader;
    return leader ? this.brokers.get(leader) : undefined;
  }

  /** A broker named the leader (NOT_LEADER): route there from now on. */
  redirect(topic: string, partition: number, leaderId: number, address: string): void {
    if (leaderId > 0 && dialable(address)) this.brokers.set(leaderId, address);
    const route = this.route(topic, partition);
    if (route && leaderId > 0) route.leader = leaderId;
  }

  /** The leader is in doubt: the next request asks for metadata first. */
  forgetLeader(topic: string, partition: number): void {
    const route = this.route(topic, partition);
    if (route) route.leader = 0;
  }

  /** Every partition led by the broker at `address` is in doubt (it stopped answering). */
  forgetLeadersAt(address: string): void {
    const ids = new Set([...this.brokers].filter(([, a]) => a === address).map(([id]) => id));
    if (ids.size === 0) return;
    for (const routes of this.topics.values()) {
      for (const route of routes) if (ids.has(route.leader)) route.leader = 0;
    }
  }

  forgetTopic(topic: string): void {
    this.topics.delete(topic);
    this.learnedAt.delete(topic);
  }
}
