export interface ListOffsetsRequest {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; timestamp: number }> }>;
}

export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

export interface ListOffsetsResponse {
  topics: Array<{ name: string; partitions: ListOffsetsPartitionResponse[] }>;
}
