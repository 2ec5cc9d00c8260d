import * as grpc from '@grpc/grpc-js';
import { partitionForKey } from '@gregor/records';
import type { ClusterNode } from '../cluster/cluster-node';
import type { ForwardedGroupsMethod } from '../cluster/peer-clients';
import { BrokerError, BrokerErrorCode, ERROR_CODE_METADATA, NotLeaderError } from '../errors';
import type { Logger } from '../logger';
import type { PartitionReplica } from '../partition-replica';
import { awaitKnownLeader } from '../replication/await-leader';
import type { Ticker } from '../replication/ticker';
import type { TopicManager } from '../topic-manager';
import type { GroupLimits } from './consumer-group';
import type { OffsetCommit } from './group-records';
import { GroupsPartition } from './groups-partition';

export const OFFSETS_TOPIC = '__consumer_offsets';
/** Set on a call one broker forwards to another, which must then answer itself rather than forward again. */
const FORWARDED_METADATA = 'gregor-forwarded';
/** The client's address, carried on a forwarded call so the coordinator records the member's host, not the forwarding broker. */
const CLIENT_HOST_METADATA = 'gregor-client-host';
const FORWARD_TIMEOUT_MS = 10_000;
const LEADER_WAIT_MS = 10_000;
/** Session expiry is checked this often: a dead member's partitions move within a session timeout plus this. */
const SWEEP_MS = 100;
/** Room for an offsets partition's largest record: a big group's membership. */
const OFFSETS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Kafka's offsets.topic.segment.bytes: segments small enough to seal, and so be compacted, at a modest commit rate. */
const OFFSETS_SEGMENT_BYTES = 100 * 1024 * 1024;

export const DEFAULT_GROUP_LIMITS: GroupLimits = { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 30 * 60 * 1000, maxSize: 1000 };

export interface GroupCoordinatorOptions {
  topics: TopicManager;
  cluster: ClusterNode;
  offsetsTopicPartitions: number;
  ticker: Ticker;
  logger: Logger;
  limits?: GroupLimits;
}

/** A Groups call as the coordinator sees it: whether it may be forwarded, and the deadline a forward must keep. */
export interface GroupCall {
  /**
   * False for a call another broker forwarded here, and for protocols whose clients find the
   * coordinator themselves (Kafka): a broker that does not coordinate the group answers NOT_COORDINATOR.
   */
  mayForward: boolean;
  /** Where the client connects from (a forwarded call carries it along). */
  clientHost: string;
  /** Milliseconds a forwarded call may take. */
  forwardTimeoutMs?: number;
}

/**
 * Consumer groups live in the internal, replicated topic __consumer_offsets: a group's records go
 * to the partition its id hashes to (Kafka's partitioner), and that partition's leader is the
 * group's coordinator. Any broker takes a Groups call and forwards it to that leader's peer port,
 * so clients need not know where a group lives. The topic is created on first use. A coordinator
 * serves a partition's groups for one leadership term; on losing it, waiting members are sent on.
 */
export class GroupCoordinator {
  private readonly partitions = new Map<number, GroupsPartition>();
  private readonly stopSweep: () => void;
  private readonly limits: GroupLimits;

  constructor(private readonly options: GroupCoordinatorOptions) {
    this.limits = options.limits ?? DEFAULT_GROUP_LIMITS;
    this.stopSweep = options.ticker.every(SWEEP_MS, () => this.sweep());
  }

  /**
   * Runs `local` on the group's coordinator: here when this broker leads the group's partition,
   * else forwarded as `method` with `request` to the leader, whose answer (or typed error) it returns.
   */
  /** A call as received: its client's host, which a forwarded call names in its metadata. */
  static callOf(call: grpc.ServerUnaryCall<unknown, unknown>, forwardTimeoutMs?: number): GroupCall {
    const forwardedHost = call.metadata.get(CLIENT_HOST_METADATA)[0];
    const mayForward = call.metadata.get(FORWARDED_METADATA).length === 0;
    return { mayForward, clientHost: typeof forwardedHost === 'string' ? forwardedHost : call.getPeer(), forwardTimeoutMs };
  }

  async route<T>(group: string, call: GroupCall, method: ForwardedGroupsMethod, request: object, local: (partition: GroupsPartition) => Promise<T>): Promise<T> {
    const partition = await this.partitionFor(group);
    const hosted = this.hosted(partition, call);
    return hosted ? local(hosted) : this.forward<T>(method, partition, request, call);
  }

  /**
   * Runs `local` on every offsets partition this broker coordinates and, for a call that may be
   * forwarded, forwards it once to each other broker coordinating some (ListGroups). A call that may
   * not be forwarded answers for this broker's partitions alone, as a Kafka broker lists its own groups.
   */
  async everyPartition<T>(call: GroupCall, method: ForwardedGroupsMethod, local: (partition: GroupsPartition) => Promise<T>): Promise<T[]> {
    const topic = this.options.cluster.state.topic(OFFSETS_TOPIC);
    if (!topic) return [];
    const answers: T[] = [];
    const elsewhere = new Map<number, number>();
    for (let partition = 0; partition < topic.partitions; partition++) {
      await this.awaitLeader(partition);
      const hosted = this.hosted(partition, { ...call, mayForward: true });
      if (hosted) answers.push(await local(hosted));
      else if (call.mayForward && !elsewhere.has(this.knownLeader(partition))) elsewhere.set(this.knownLeader(partition), partition);
    }
    for (const partition of elsewhere.values()) answers.push(await this.forward<T>(method, partition, {}, call));
    return answers;
  }

  /** The broker coordinating the group (its offsets partition's leader), creating the offsets topic on first use; 0 while none is known. */
  async coordinatorOf(group: string): Promise<number> {
    return this.knownLeader(await this.partitionFor(group));
  }

  /** The committed offsets of every group this broker coordinates now, for its metrics. */
  async committedHere(): Promise<Array<OffsetCommit & { group: string }>> {
    const commits: Array<OffsetCommit & { group: string }> = [];
    for (const [partition, hosted] of this.partitions) {
      if (this.current(partition) !== hosted) continue;
      for (const { group } of await hosted.list()) for (const commit of await hosted.fetch(group, undefined)) commits.push({ group, ...commit });
    }
    return commits;
  }

  close(): void {
    this.stopSweep();
    for (const hosted of this.partitions.values()) hosted.close();
    this.partitions.clear();
  }

  private sweep(): void {
    for (const [partition, hosted] of this.partitions) {
      if (this.current(partition) === hosted) hosted.tick();
    }
  }

  /** The partition's GroupsPartition for this leadership term; a stale one (another term, or no longer leading) is closed. */
  private current(partition: number): GroupsPartition | null {
    const hosted = this.partitions.get(partition) ?? null;
    let replica: PartitionReplica | null = null;
    try {
      replica = this.options.topics.partition(OFFSETS_TOPIC, partition);
    } catch {
      replica = null;
    }
    const leading = replica !== null && replica.replication.isLeader;
    if (hosted && (!leading || hosted.replica !== replica || hosted.term !== replica!.replication.term)) {
      hosted.close();
      this.partitions.delete(partition);
      return null;
    }
    return hosted;
  }

  private async partitionFor(group: string): Promise<number> {
    if (!group || group.includes('\u0000')) throw new BrokerError('INVALID_GROUP_ID', 'group id must be non-empty text');
    const { topics } = this.options;
    if (!this.options.cluster.state.topic(OFFSETS_TOPIC)) {
      const configs = {
        'cleanup.policy': 'compact',
        'segment.bytes': String(OFFSETS_SEGMENT_BYTES),
        'retention.ms': '-1',
        'retention.bytes': '-1',
        'max.message.bytes': String(OFFSETS_MAX_MESSAGE_BYTES),
      };
      await topics.create(OFFSETS_TOPIC, this.options.offsetsTopicPartitions, configs).catch((err: { code?: string }) => {
        if (err.code !== 'TOPIC_EXISTS') throw err;
      });
    }
    const partition = partitionForKey(Buffer.from(group), topics.get(OFFSETS_TOPIC).record.partitions);
    await this.awaitLeader(partition);
    return partition;
  }

  /** A just-created offsets partition elects its leader within an election timeout or two; wait that long, not longer. */
  private async awaitLeader(partition: number): Promise<void> {
    await awaitKnownLeader(() => this.knownLeader(partition), LEADER_WAIT_MS);
  }

  private knownLeader(partition: number): number {
    const assignment = this.options.topics.get(OFFSETS_TOPIC).record.assignments[partition];
    try {
      return this.options.topics.partition(OFFSETS_TOPIC, partition).leaderId || assignment.leader;
    } catch {
      return assignment.leader;
    }
  }

  /** This broker's groups of the partition if it leads it; null when the call should go to the leader. */
  private hosted(partition: number, call: GroupCall): GroupsPartition | null {
    let replica;
    try {
      replica = this.options.topics.partition(OFFSETS_TOPIC, partition);
      replica.requireLeader();
    } catch (err) {
      if (err instanceof NotLeaderError && call.mayForward) return null;
      if (err instanceof NotLeaderError) throw new BrokerError('NOT_COORDINATOR', `${err.message}; this broker is not the group's coordinator`);
      throw err;
    }
    const existing = this.current(partition);
    if (existing) return existing;
    const { logger, cluster } = this.options;
    const hosted = new GroupsPartition(replica, replica.replication.term, {
      logger,
      limits: this.limits,
      now: () => this.options.ticker.now(),
      partitionCountOf: (topic) => cluster.state.topic(topic)?.partitions,
      topicIdOf: (topic) => cluster.state.topic(topic)?.topicId,
    });
    this.partitions.set(partition, hosted);
    return hosted;
  }

  private async forward<T>(method: ForwardedGroupsMethod, partition: number, request: object, call: GroupCall): Promise<T> {
    const leader = this.knownLeader(partition);
    const { cluster } = this.options;
    if (!cluster.peerAddressOf(leader)) throw new NotLeaderError(`${OFFSETS_TOPIC}-${partition}`, 0, undefined);
    const metadata = new grpc.Metadata();
    metadata.set(FORWARDED_METADATA, '1');
    metadata.set(CLIENT_HOST_METADATA, call.clientHost);
    try {
      return await cluster.clients.forwardGroups<T>(leader, method, request, metadata, call.forwardTimeoutMs ?? FORWARD_TIMEOUT_MS);
    } catch (err) {
      // The leader's own answer, keeping its Gregor code; a broker that did not answer is worth a retry.
      const { metadata: trailers, details } = err as grpc.ServiceError;
      const reason = trailers?.get(ERROR_CODE_METADATA)[0];
      throw typeof reason === 'string'
        ? new BrokerError(reason as BrokerErrorCode, details)
        : new BrokerError('COORDINATOR_NOT_AVAILABLE', `broker ${leader}, coordinating ${OFFSETS_TOPIC}-${partition}, did not answer: ${details}`);
    }
  }
}
