import type {
  CommittedOffset,
  DecommissionBrokerResponse,
  RebalanceClusterResponse,
  DescribeClusterResponse,
  ListReassignmentsResponse,
  PartitionReassignment,
  ReassignmentStatus,
  DescribeGroupsResponse,
  FetchOffsetsResponse,
  GroupDescription,
  ListGroupsResponse,
  ListedGroup,
  ListOffsetsResponse,
  ListTopicsResponse,
  OffsetSpec,
  PartitionOffset,
  TopicDescription,
  TopicSummary,
  HealthCheckResponse,
} from '@gregor/proto';
import { Cluster, ClusterOptions } from './cluster/cluster';
import type { Connection } from './connection';
import { GregorError } from './errors';

export type { TopicDescription, TopicSummary, PartitionOffset, CommittedOffset, DescribeClusterResponse, GroupDescription };
export type { ReassignmentStatus, PartitionReassignment, ListReassignmentsResponse, DecommissionBrokerResponse, RebalanceClusterResponse };

/** Who commits: a member in its generation. Without one a commit is outside membership, which only a group without live members accepts. */
export interface GroupMemberIdentity {
  generation: number;
  memberId: string;
  groupInstanceId?: string;
}

export interface CreateTopicOptions {
  /** Default: the broker's default partition count. */
  partitions?: number;
  /** Topic configs, e.g. { 'retention.ms': '3600000', 'flush.policy': 'always' }. */
  configs?: Record<string, string>;
  /** Replicas per partition. Default: the broker's default (3), at most the live brokers. */
  replicationFactor?: number;
}

export type OffsetQuery = 'earliest' | 'latest' | { timestamp: number };

export interface AdminOptions extends ClusterOptions {
  /** Share a Cluster (connections and metadata) with other clients; the Admin then does not close it. */
  cluster?: Cluster;
  /** Share a connection as the one bootstrap broker; the Admin then does not close it. */
  connection?: Connection;
}

/**
 * Topics, offsets, consumer groups and cluster metadata. Requests any broker
 * can answer go to the broker that answered last, failing over to the
 * others; offsets are asked of each partition's leader.
 */
export class Admin {
  readonly cluster: Cluster;
  private readonly ownsCluster: boolean;

  constructor(options: AdminOptions = {}) {
    this.cluster = options.cluster ?? new Cluster(options, options.connection);
    this.ownsCluster = !options.cluster;
  }

  /** The first bootstrap broker's connection. */
  get connection(): Connection {
    return this.cluster.primary;
  }

  async createTopic(name: string, options: CreateTopicOptions = {}): Promise<TopicDescription> {
    const request = { name, partitions: options.partitions ?? 0, configs: options.configs ?? {}, replicationFactor: options.replicationFactor ?? 0 };
    const description = await this.cluster.callAny<TopicDescription>('Admin', 'CreateTopic', request);
    this.cluster.metadata.forgetTopic(name);
    return description;
  }

  async deleteTopic(name: string): Promise<void> {
    await this.cluster.callAny('Admin', 'DeleteTopic', { name });
    this.cluster.metadata.forgetTopic(name);
  }

  async listTopics(): Promise<TopicSummary[]> {
    return (await this.cluster.callAny<ListTopicsResponse>('Admin', 'ListTopics', {})).topics;
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.cluster.callAny('Admin', 'DescribeTopic', { name });
  }

  /** Sets some configs and returns others (`reset`) to their defaults. */
  alterTopicConfig(name: string, set: Record<string, string>, reset: string[] = []): Promise<TopicDescription> {
    return this.cluster.callAny('Admin', 'AlterTopicConfig', { name, set, reset });
  }

  /** Grows a topic to `partitions` in all (only up); keyed records may then map to other partitions, as in Kafka. */
  createPartitions(name: string, partitions: number): Promise<TopicDescription> {
    return this.cluster.callAny('Admin', 'CreatePartitions', { name, partitions });
  }

  /**
   * Moves partitions to new replica lists (the first of each becomes its preferred leader): all
   * start or none does. Each new replica joins as a Raft learner, becomes a voter once caught up,
   * and then the replicas left out are removed. `throttleMbPerSec` caps the catch-up traffic.
   */
  reassignPartitions(partitions: PartitionReassignment[], throttleMbPerSec = 0): Promise<object> {
    return this.cluster.callAny('Admin', 'ReassignPartitions', { partitions, throttleMbPerSec });
  }

  /** Moves the partition back to the replicas it started from. */
  cancelReassignment(topic: string, partition: number): Promise<object> {
    return this.cluster.callAny('Admin', 'CancelReassignment', { topic, partition });
  }

  /** Moves in progress, each new replica with its catch-up. */
  listReassignments(): Promise<ListReassignmentsResponse> {
    return this.cluster.callAny('Admin', 'ListReassignments', {});
  }

  /** Starts moving every replica off broker `brokerId`; it is removed once it holds none. */
  decommissionBroker(brokerId: number): Promise<DecommissionBrokerResponse> {
    return this.cluster.callAny('Admin', 'DecommissionBroker', { brokerId });
  }

  /** Calls a decommission off; `moves` are the partitions going back to the replicas they had. */
  cancelDecommission(brokerId: number): Promise<DecommissionBrokerResponse> {
    return this.cluster.callAny('Admin', 'DecommissionBroker', { brokerId, cancel: true });
  }

  /** Makes broker `brokerId` a voter of the metadata log once it has caught up; returns the voters to be. */
  async addController(brokerId: number): Promise<number[]> {
    return (await this.cluster.callAny<{ target: number[] }>('Admin', 'AddController', { brokerId })).target;
  }

  /** Takes broker `brokerId`'s metadata vote away (it keeps following the log); returns the voters to be. */
  async removeController(brokerId: number): Promise<number[]> {
    return (await this.cluster.callAny<{ target: number[] }>('Admin', 'RemoveController', { brokerId })).target;
  }

  /**
   * Plans moves that even out replicas (by count, then bytes) and preferred leaders over the
   * brokers, keeping replicas of a partition on distinct racks where it can, and starts them
   * unless `dryRun`.
   */
  rebalanceCluster(options: { dryRun?: boolean; throttleMbPerSec?: number } = {}): Promise<RebalanceClusterResponse> {
    return this.cluster.callAny('Admin', 'RebalanceCluster', { dryRun: options.dryRun ?? false, throttleMbPerSec: options.throttleMbPerSec ?? 0 });
  }

  /** Brokers (alive or not), the controller, and every partition's leader, replicas, high watermark and replica lag. */
  describeCluster(): Promise<DescribeClusterResponse> {
    return this.cluster.callAny('Admin', 'DescribeCluster', {});
  }

  /**
   * Per partition (all by default): earliest = log start, latest = high
   * watermark (next offset to be written), or the first offset at or after a
   * timestamp (-1 if none).
   */
  async listOffsets(topic: string, query: OffsetQuery, partitions: number[] = []): Promise<PartitionOffset[]> {
    const spec: OffsetSpec = query === 'earliest' ? 'EARLIEST' : query === 'latest' ? 'LATEST' : 'TIMESTAMP';
    const timestamp = typeof query === 'object' ? query.timestamp : 0;
    const wanted = partitions.length > 0 ? partitions : Array.from({ length: await this.cluster.partitionCount(topic) }, (_, p) => p);
    const found = new Map<number, PartitionOffset>();
    const ask = (connection: Connection, asked: number[]): Promise<void> =>
      connection.unary<object, ListOffsetsResponse>('Log', 'ListOffsets', { topic, partitions: asked, spec, timestamp }).then((response) => {
        for (const p of response.partitions) found.set(p.partition, p);
      });
    // One request per leader the metadata names; partitions whose leader is unknown or moved go one by one, following the leader.
    const byLeader = new Map<string, number[]>();
    const alone: number[] = [];
    for (const p of wanted) {
      const address = this.cluster.metadata.leaderAddress(topic, p);
      if (address) byLeader.set(address, [...(byLeader.get(address) ?? []), p]);
      else alone.push(p);
    }
    await Promise.all([...byLeader].map(async ([address, asked]) => {
      try {
        await ask(this.cluster.connection(address), asked);
      } catch (err) {
        const error = GregorError.from(err);
        if (!error.retriable) throw error;
        alone.push(...asked);
      }
    }));
    await Promise.all(alone.map((p) => this.cluster.onLeader(topic, p, (connection) => ask(connection, [p]))));
    return wanted.map((p) => found.get(p)!);
  }

  /** Commits offsets (each the next offset the group will read), as `member` or outside membership. */
  async commitOffsets(
    group: string,
    offsets: Array<{ topic: string; partition: number; offset: number; metadata?: string }>,
    member?: GroupMemberIdentity,
  ): Promise<void> {
    await this.cluster.callAny('Groups', 'CommitOffsets', { group, offsets, ...member });
  }

  async fetchOffsets(group: string, topic?: string): Promise<CommittedOffset[]> {
    return (await this.cluster.callAny<FetchOffsetsResponse>('Groups', 'FetchOffsets', { group, topic: topic ?? '' })).offsets;
  }

  async listGroups(): Promise<ListedGroup[]> {
    return (await this.cluster.callAny<ListGroupsResponse>('Groups', 'ListGroups', {})).groups;
  }

  /** State, protocol, generation and members of each group, in the order asked; an unknown group comes back in state Dead. */
  async describeGroups(groups: string[]): Promise<GroupDescription[]> {
    return (await this.cluster.callAny<DescribeGroupsResponse>('Groups', 'DescribeGroups', { groups })).groups;
  }

  /** Deletes groups without live members, with their committed offsets: NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND otherwise. */
  async deleteGroups(groups: string[]): Promise<void> {
    await this.cluster.callAny('Groups', 'DeleteGroups', { groups });
  }

  /** The standard grpc.health.v1 check of the first bootstrap broker. */
  async health(timeoutMs?: number): Promise<HealthCheckResponse['status']> {
    return (await this.connection.unary<object, HealthCheckResponse>('Health', 'Check', { service: '' }, timeoutMs)).status;
  }

  close(): void {
    if (this.ownsCluster) this.cluster.close();
  }
}
