export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  /** By name before v13, by id (and name null) from v13. */
  topics: Array<{ name: string | null; topicId: Buffer | null; partitions: FetchPartitionRequest[] }>;
}

export interface FetchPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: Buffer | null;
}

export interface FetchResponse {
  errorCode: number;
  topics: Array<{ name: string; topicId: Buffer; partitions: FetchPartitionResponse[] }>;
}
