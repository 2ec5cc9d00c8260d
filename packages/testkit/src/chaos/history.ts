/** What a chaos run records and what the checker reads: plain data, no I/O. */

/** A producer was told `value` is stored at (partition, offset). */
export interface Ack {
  partition: number;
  offset: number;
  value: string;
  /** Which producer sent it, and how many records that producer had sent before it. */
  producer: number;
  sendIndex: number;
}

/** A consumer session read `value` at (partition, offset). */
export interface Observation {
  /** One id per consumer session; within a session a partition's offsets must only rise. */
  consumer: number;
  partition: number;
  offset: number;
  value: string;
}

/** One record as stored: its offset and value. */
export interface StoredRecord {
  offset: number;
  value: string;
}

/** One batch of a replica's log, as found on disk. */
export interface ReplicaBatch {
  baseOffset: number;
  lastOffset: number;
  /** Control batches (leader no-ops, membership) hold no records for consumers. */
  control: boolean;
  /** The batch exactly as stored, for byte-for-byte comparison between replicas. */
  bytes: Buffer;
  /** Data records; empty for control batches. */
  records: StoredRecord[];
}

/** One replica of one partition: its whole log, read from a broker's data directory. */
export interface ReplicaLog {
  brokerId: number;
  partition: number;
  logStartOffset: number;
  batches: ReplicaBatch[];
}

export interface ChaosHistory {
  /** Partition count of the topic under test (0..partitions-1). */
  partitions: number;
  acks: Ack[];
  observations: Observation[];
  replicas: ReplicaLog[];
  /** Each partition's final high watermark, from the cluster after healing; absent = unknown. */
  highWatermarks: ReadonlyMap<number, number>;
  /** Each partition's records read through a consumer from offset 0 after healing; absent = not read. */
  finalReads: ReadonlyMap<number, StoredRecord[]>;
}

export interface CheckResult {
  acked: number;
  /** Acknowledged values missing from the final log. */
  lost: number;
  /** Extra copies of values in the final log. */
  duplicated: number;
  /** Replica disagreements, gaps, offsets going backwards, and reads or acks that the final log contradicts. */
  divergent: number;
  /** Acknowledged records stored in a partition after a record their producer sent later. */
  reordered: number;
  /** One line per problem found (the first `maxProblems`), for the report. */
  problems: string[];
}
