import * as grpc from '@grpc/grpc-js';
import { partitionForKey } from '@gregor/records';
import type { ClusterNode } from '../cluster/cluster-node';
import type { ForwardedGroupsMethod } from '../cluster/peer-clients';
import { BrokerError, BrokerErrorCode, NotLeaderError } from '../errors';
import type { TopicManager } from '../topic-manager';
import { OffsetCommit, OffsetsPartition } from './offsets-partition';

export const OFFSETS_TOPIC = '__consumer_offsets';
/** Set on a call one broker forwards to another, which must then answer itself rather than forward again. */
const FORWARDED_METADATA = 'gregor-forwarded';
const FORWARD_TIMEOUT_MS = 10_000;
const LEADER_WAIT_MS = 10_000;
const LEADER_POLL_MS = 20;

export interface GroupCoordinatorOptions {
  topics: TopicManager;
  cluster: ClusterNode;
  offsetsTopicPartitions: number;
}

/**
 * Committed consumer offsets live in the internal, replicated topic __consumer_offsets: a group's
 * commits go to the partition its id hashes to (Kafka's partitioner), whose leader serves them.
 * Any broker takes a Groups call and forwards it to that leader's peer port, so clients need not
 * know where a group lives. The topic is created on first use.
 */
export class GroupCoordinator {
  private readonly partitions = new Map<string, OffsetsPartition>();

  constructor(private readonly options: GroupCoordinatorOptions) {}

  async commit(group: string, commits: OffsetCommit[], call: grpc.ServerUnaryCall<unknown, unknown>): Promise<void> {
    const partition = await this.partitionFor(group);
    const local = this.leaderReplica(partition, call);
    if (!local) {
      await this.forward('CommitOffsets', partition, { group, offsets: commits });
      return;
    }
    await local.commit(group, commits, (topic) => this.options.topics.get(topic).record.topicId);
  }

  async fetch(group: string, topic: string | undefined, call: grpc.ServerUnaryCall<unknown, unknown>): Promise<OffsetCommit[]> {
    const partition = await this.partitionFor(group);
    const local = this.leaderReplica(partition, call);
    if (!local) return (await this.forward<{ offsets: OffsetCommit[] }>('FetchOffsets', partition, { group, topic: topic ?? '' })).offsets ?? [];
    return local.fetch(group, topic, (name) => this.options.cluster.state.topic(name)?.topicId);
  }

  /** Groups of every offsets partition, asking each partition's leader. */
  async listGroups(call: grpc.ServerUnaryCall<unknown, unknown>): Promise<string[]> {
    const topic = this.options.cluster.state.topic(OFFSETS_TOPIC);
    if (!topic) return [];
    const groups = new Set<string>();
    for (let partition = 0; partition < topic.partitions; partition++) {
      const local = this.leaderReplica(partition, call);
      const ids = local ? await local.groupIds() : (await this.forward<{ groups: string[] }>('ListGroups', partition, {})).groups ?? [];
      for (const id of ids) groups.add(id);
    }
    return [...groups].sort();
  }

  private async partitionFor(group: string): Promise<number> {
    if (!group || group.includes('\u0000')) throw new BrokerError('INVALID_REQUEST', 'group id must be non-empty text');
    const { topics } = this.options;
    if (!this.options.cluster.state.topic(OFFSETS_TOPIC)) {
      await topics.create(OFFSETS_TOPIC, this.options.offsetsTopicPartitions, { 'retention.ms': '-1', 'retention.bytes': '-1' }).catch((err: { code?: string }) => {
        if (err.code !== 'TOPIC_EXISTS') throw err;
      });
    }
    const partition = partitionForKey(Buffer.from(group), topics.get(OFFSETS_TOPIC).record.partitions);
    await this.awaitLeader(partition);
    return partition;
  }

  /** A just-created offsets partition elects its leader within an election timeout or two; wait that long, not longer. */
  private async awaitLeader(partition: number): Promise<void> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    while (this.knownLeader(partition) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
    }
  }

  private knownLeader(partition: number): number {
    const assignment = this.options.topics.get(OFFSETS_TOPIC).record.assignments[partition];
    try {
      return this.options.topics.partition(OFFSETS_TOPIC, partition).leaderId || assignment.leader;
    } catch {
      return assignment.leader;
    }
  }

  /** This broker's offsets partition if it leads it; null when the call should go to the leader. */
  private leaderReplica(partition: number, call: grpc.ServerUnaryCall<unknown, unknown>): OffsetsPartition | null {
    const forwarded = call.metadata.get(FORWARDED_METADATA).length > 0;
    let replica;
    try {
      replica = this.options.topics.partition(OFFSETS_TOPIC, partition);
      replica.requireLeader();
    } catch (err) {
      if (err instanceof NotLeaderError && !forwarded) return null;
      throw err;
    }
    let offsets = this.partitions.get(replica.name);
    if (!offsets || offsets.replica !== replica) this.partitions.set(replica.name, (offsets = new OffsetsPartition(replica)));
    return offsets;
  }

  private async forward<T = object>(method: ForwardedGroupsMethod, partition: number, request: object): Promise<T> {
    const leader = this.knownLeader(partition);
    const { cluster } = this.options;
    if (!cluster.peerAddressOf(leader)) throw new NotLeaderError(`${OFFSETS_TOPIC}-${partition}`, 0, undefined);
    const metadata = new grpc.Metadata();
    metadata.set(FORWARDED_METADATA, '1');
    try {
      return await cluster.clients.forwardGroups<T>(leader, method, request, metadata, FORWARD_TIMEOUT_MS);
    } catch (err) {
      // The leader's own answer, keeping its Gregor code; a broker that did not answer is worth a retry.
      const { metadata: trailers, details } = err as grpc.ServiceError;
      const reason = trailers?.get('gregor-error')[0];
      throw typeof reason === 'string'
        ? new BrokerError(reason as BrokerErrorCode, details)
        : new BrokerError('LEADER_NOT_AVAILABLE', `broker ${leader}, leading ${OFFSETS_TOPIC}-${partition}, did not answer: ${details}`);
    }
  }
}
