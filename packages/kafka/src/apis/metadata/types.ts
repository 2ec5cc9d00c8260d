export interface MetadataRequest {
  /** null: every topic. */
  topics: Array<{ topicId: Buffer | null; name: string | null }> | null;
  allowAutoTopicCreation: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string | null;
  topicId: Buffer;
  isInternal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
}
