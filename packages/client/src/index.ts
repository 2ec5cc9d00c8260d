/**
 * @gregor/client: the TypeScript SDK for a Gregor broker.
 *
 * - `Producer`: `send(topic, records)` resolves to each record's partition
 *   and offset; records are batched per partition (lingerMs, batchBytes),
 *   partitioned by murmur2(key) like Kafka (sticky for null keys),
 *   optionally gzip-compressed, and retried with backoff on retriable errors.
 *   `flush()` sends what waits; `close()` flushes and disconnects.
 * - `Consumer`: `assign`/`assignTopic`, `seek` (offset, 'earliest',
 *   'latest', { timestamp }), records as an async iterator (`records()`, or
 *   `batches()` for arrays of records with fewer awaits), `commit` for a
 *   groupId and resume from committed offsets.
 * - `Admin`: topics, configs, offsets, groups, cluster, health.
 * - `Connection`: one channel shared by any of the above (`{ connection }`).
 * - `GregorError`: every failure; `code` is the gRPC status name
 *   ('NOT_FOUND', 'OUT_OF_RANGE', ...), `retriable` says whether to retry.
 *
 * The broker address is `address` ('host:port'), default $GREGOR_BROKER or
 * 127.0.0.1:7070.
 */
export { Connection, type ConnectionOptions, DEFAULT_ADDRESS } from './connection';
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
} from './admin';
export { Producer, type ProducerOptions, type ProducerRecord, type RecordMetadata, type Bytes } from './producer/producer';
export { Partitioner } from './producer/partitioner';
export { Consumer, type ConsumerOptions, type ConsumerRecord, type SeekTarget, type TopicPartition } from './consumer/consumer';
