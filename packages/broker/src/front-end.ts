import type { GroupRequests } from './groups/group-requests';
import type { Acks } from './replication/pending-appends';

/**
 * A listener for another wire protocol (Kafka, later MQTT) that serves the broker's partitions,
 * metadata and groups through a BrokerSurface. The broker starts it beside its own listeners,
 * advertises its address to the cluster under its name, and closes it first on stop; it knows
 * nothing of the protocol, and the package that does is wired in by the CLI.
 */
export interface FrontEnd {
  /** The listener's name, under which its address is advertised (e.g. "kafka"). */
  readonly name: string;
  /**
   * Binds the listener and serves `surface` from then on; resolves with the host:port its clients
   * are told to use. Calls that reach the surface before the broker has opened its parts fail as
   * the broker starting.
   */
  start(surface: BrokerSurface): Promise<string>;
  close(): Promise<void>;
}

export interface SurfaceBroker {
  id: number;
  /** Where each front end of the broker listens, by name (host:port). */
  listeners: Readonly<Record<string, string>>;
  rack: string;
  alive: boolean;
}

export interface SurfacePartition {
  partition: number;
  /** 0 while no leader is known. */
  leader: number;
  /** The leader's Raft term, which is the leader epoch stamped into the batches it appends. */
  leaderEpoch: number;
  replicas: number[];
  /** Replicas on live brokers. */
  inSync: number[];
  /** Replicas on fenced brokers. */
  offline: number[];
}

export interface SurfaceTopic {
  name: string;
  /** Hex digits, unique per topic incarnation (a topic deleted and made again gets another). */
  topicId: string;
  internal: boolean;
  partitions: SurfacePartition[];
}

export interface AppendedBatch {
  baseOffset: number;
  /** -1: the batch keeps the producer's timestamps. */
  logAppendTime: number;
  logStartOffset: number;
}

export interface ReadBatches {
  /** Whole batches, as stored, never past the high watermark. */
  bytes: Buffer;
  highWatermark: number;
  logStartOffset: number;
}

export interface CreateTopicRequest {
  name: string;
  /** 0: the broker's default. */
  partitions: number;
  /** 0: the broker's default. */
  replicationFactor: number;
  configs: Record<string, string>;
  validateOnly: boolean;
}

export interface CreatedTopic {
  /** '' when only validated. */
  topicId: string;
  partitions: number;
  replicationFactor: number;
  /** Every config of the topic, defaults included. */
  configs: Record<string, string>;
}

/** 'max-timestamp': the record with the largest timestamp (Kafka's ListOffsets v7). */
export type OffsetQuery = 'earliest' | 'latest' | 'max-timestamp' | { timestamp: number };

export interface PartitionWatch {
  topic: string;
  partition: number;
  /** Wake once the high watermark passes this. */
  highWatermark: number;
}

/**
 * What a front end may do with the broker. Partition calls run on the partition's leader and
 * throw errors with a `code` (BrokerError, StorageError, RecordsError), e.g. NOT_LEADER.
 */
export interface BrokerSurface {
  readonly brokerId: number;
  /** host:port of this broker's gRPC listener, for front ends that serve through the SDK. */
  readonly clientAddress: string;
  /** Aborted when the broker starts to stop: long polls answer at once. */
  readonly shutdownSignal: AbortSignal;
  clusterId(): string;
  /** 0 while the metadata log has no leader. */
  controllerId(): number;
  brokers(): SurfaceBroker[];
  topics(): SurfaceTopic[];
  /** The batch as the client built it: checked, then stamped with offsets and the leader epoch. */
  produce(topic: string, partition: number, batch: Buffer, acks: Acks): Promise<AppendedBatch>;
  /** At least one whole batch when there is data and maxBytes > 0 (however large the batch); none at maxBytes 0. */
  read(topic: string, partition: number, offset: number, maxBytes: number): Promise<ReadBatches>;
  /** Resolves when any watched partition's high watermark moves past its mark, after `timeoutMs`, or on abort. */
  waitForData(watches: readonly PartitionWatch[], timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** The offset a query names (-1 when a timestamp is past every record), with the leader epoch. */
  listOffset(topic: string, partition: number, query: OffsetQuery): Promise<{ offset: number; timestamp: number; leaderEpoch: number }>;
  /**
   * Topic administration as the gRPC Admin service does it (internal topics refused); with
   * `validateOnly`, checked and answered as if done, changing nothing.
   */
  createTopic(request: CreateTopicRequest): Promise<CreatedTopic>;
  deleteTopic(name: string): Promise<void>;
  createPartitions(name: string, count: number, validateOnly: boolean): Promise<void>;
  /** A topic's own configs, and every config it runs with (defaults included). */
  topicConfigs(name: string): { own: Record<string, string>; effective: Record<string, string> };
  /** Sets and resets topic configs through the controller; an alteration that changes nothing is done at once. */
  alterTopicConfigs(name: string, set: Record<string, string>, reset: string[], validateOnly: boolean): Promise<void>;
  /** A new idempotent producer's id, unique in the cluster; its epoch starts at 0. */
  allocateProducerId(): Promise<number>;
  /** The group coordinator's requests, as the gRPC Groups service serves them. */
  readonly groups: GroupRequests;
}
