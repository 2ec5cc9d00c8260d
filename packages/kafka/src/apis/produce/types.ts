export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; records: Buffer | null }> }>;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
}

export interface ProduceResponse {
  topics: Array<{ name: string; partitions: ProducePartitionResponse[] }>;
}
