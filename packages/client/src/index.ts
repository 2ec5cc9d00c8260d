/**
 * @gregor/client: the TypeScript SDK for a Gregor cluster.
 *
 * - `Producer`: `send(topic, records)` resolves to each record's partition
 *   and offset; records are batched per partition (lingerMs, batchBytes),
 *   partitioned by murmur2(key) like Kafka (sticky for null keys),
 *   optionally compressed (gzip, snappy, lz4 or zstd, framed as Kafka clients
 *   frame them), sent to each partition's leader, and retried
 *   on the new leader after failover. Idempotent by default (each batch is
 *   written once however often it is resent, a partition's records in send
 *   order); `acks: 'all' | 'leader'`.
 *   `flush()` sends what waits; `close()` flushes and disconnects.
 * - `Consumer`: `assign`/`assignTopic`, `seek` (offset, 'earliest',
 *   'latest', { timestamp }), records as an async iterator (`records()`, or
 *   `batches()` for arrays of records with fewer awaits) read from each
 *   partition's leader, `commit` for a groupId and resume from committed offsets.
 *   Or `subscribe(topics | pattern, listener)` to share partitions as a member
 *   of the group (Kafka's classic group protocol: eager or cooperative
 *   assignors, static membership, auto-commit of processed positions);
 *   `pause`/`resume` per partition.
 * - `Admin`: topics (with replication factor), configs, offsets, groups,
 *   `describeCluster()`, health.
 * - `Cluster`: connections to every broker and the metadata cache (partition
 *   leaders, broker addresses), shared by any of the above (`{ cluster }`).
 * - `Connection`: one channel to one broker (`{ connection }` bootstraps from it).
 * - `GregorError`: every failure; `code` is the gRPC status name
 *   ('NOT_FOUND', 'OUT_OF_RANGE', ...), `reason` Gregor's own code
 *   ('NOT_LEADER', ...), `retriable` says whether to retry.
 *
 * Bootstrap brokers: `brokers` ('host:port' list or comma-separated string;
 * `broker` / `address` for one), default $GREGOR_BROKER or 127.0.0.1:7070.
 */
export { Connection, type ConnectionOptions, DEFAULT_ADDRESS } from './connection';
export { Cluster, type ClusterOptions } from './cluster/cluster';
export { parseBrokerList } from './cluster/broker-list';
export { MetadataCache, type PartitionRoute, type BrokerAddress } from './cluster/metadata-cache';
export { GregorError, type GregorErrorCode } from './errors';
export {
  Admin,
  type AdminOptions,
  type CreateTopicOptions,
  type OffsetQuery,
  type TopicDescription,
  type TopicSummary,
  type PartitionOffset,
  type CommittedOffset,
  type DescribeClusterResponse,
  type ReassignmentStatus,
  type PartitionReassignment,
  type ListReassignmentsResponse,
  type DecommissionBrokerResponse,
  type RebalanceClusterResponse,
  type GroupDescription,
  type GroupMemberIdentity,
} from './admin';
export { describeGroupLag, type GroupLag, type PartitionLag } from './group-lag';
export { Producer, type ProducerOptions, type ProducerRecord, type RecordMetadata, type Bytes } from './producer/producer';
export { Partitioner } from './producer/partitioner';
export { COMPRESSION_NAMES, type CompressionName } from '@gregor/records';
export {
  Consumer,
  type ConsumerOptions,
  type ConsumerRecord,
  type SeekTarget,
  type TopicPartition,
  type TopicPartitionOffset,
} from './consumer/consumer';
export type { GroupConfig } from './consumer/group-config';
export type { RebalanceListener } from './consumer/rebalance-listener';
export {
  ASSIGNORS,
  cooperativeStickyAssignor,
  rangeAssignor,
  roundRobinAssignor,
  type Assignor,
  type GroupMemberSubscription,
  type RebalanceProtocol,
} from './consumer/assignors';
