import type {
  CommittedOffset,
  DescribeClusterResponse,
  FetchOffsetsResponse,
  ListGroupsResponse,
  ListOffsetsResponse,
  ListTopicsResponse,
  OffsetSpec,
  PartitionOffset,
  TopicDescription,
  TopicSummary,
  HealthCheckResponse,
} from '@gregor/proto';
import { Connection, ConnectionOptions } from './connection';

export type { TopicDescription, TopicSummary, PartitionOffset, CommittedOffset, DescribeClusterResponse };

export interface CreateTopicOptions {
  /** Default: the broker's default partition count. */
  partitions?: number;
  /** Topic configs, e.g. { 'retention.ms': '3600000', 'flush.policy': 'always' }. */
  configs?: Record<string, string>;
}

export type OffsetQuery = 'earliest' | 'latest' | { timestamp: number };

export interface AdminOptions extends ConnectionOptions {
  /** Share a connection; the Admin then does not close it. */
  connection?: Connection;
}

/** Topics, offsets, consumer groups and cluster metadata. */
export class Admin {
  readonly connection: Connection;
  private readonly ownsConnection: boolean;

  constructor(options: AdminOptions = {}) {
    this.connection = options.connection ?? new Connection(options);
    this.ownsConnection = !options.connection;
  }

  createTopic(name: string, options: CreateTopicOptions = {}): Promise<TopicDescription> {
    return this.connection.unary('Admin', 'CreateTopic', { name, partitions: options.partitions ?? 0, configs: options.configs ?? {} });
  }

  async deleteTopic(name: string): Promise<void> {
    await this.connection.unary('Admin', 'DeleteTopic', { name });
  }

  async listTopics(): Promise<TopicSummary[]> {
    return (await this.connection.unary<object, ListTopicsResponse>('Admin', 'ListTopics', {})).topics;
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.connection.unary('Admin', 'DescribeTopic', { name });
  }

  /** Sets some configs and returns others (`reset`) to their defaults. */
  alterTopicConfig(name: string, set: Record<string, string>, reset: string[] = []): Promise<TopicDescription> {
    return this.connection.unary('Admin', 'AlterTopicConfig', { name, set, reset });
  }

  describeCluster(): Promise<DescribeClusterResponse> {
    return this.connection.unary('Admin', 'DescribeCluster', {});
  }

  /**
   * Per partition (all by default): earliest = log start, latest = high
   * watermark (next offset to be written), or the first offset at or after a
   * timestamp (-1 if none).
   */
  async listOffsets(topic: string, query: OffsetQuery, partitions: number[] = []): Promise<PartitionOffset[]> {
    const spec: OffsetSpec = query === 'earliest' ? 'EARLIEST' : query === 'latest' ? 'LATEST' : 'TIMESTAMP';
    const timestamp = typeof query === 'object' ? query.timestamp : 0;
    const response = await this.connection.unary<object, ListOffsetsResponse>('Log', 'ListOffsets', { topic, partitions, spec, timestamp });
    return response.partitions;
  }

  /** Commits offsets (each the next offset the group will read). */
  async commitOffsets(group: string, offsets: Array<{ topic: string; partition: number; offset: number; metadata?: string }>): Promise<void> {
    await this.connection.unary('Groups', 'CommitOffsets', { group, offsets });
  }

  async fetchOffsets(group: string, topic?: string): Promise<CommittedOffset[]> {
    return (await this.connection.unary<object, FetchOffsetsResponse>('Groups', 'FetchOffsets', { group, topic: topic ?? '' })).offsets;
  }

  async listGroups(): Promise<string[]> {
    return (await this.connection.unary<object, ListGroupsResponse>('Groups', 'ListGroups', {})).groups;
  }

  /** The standard grpc.health.v1 check for the broker as a whole. */
  async health(timeoutMs?: number): Promise<HealthCheckResponse['status']> {
    return (await this.connection.unary<object, HealthCheckResponse>('Health', 'Check', { service: '' }, timeoutMs)).status;
  }

  close(): void {
    if (this.ownsConnection) this.connection.close();
  }
}
