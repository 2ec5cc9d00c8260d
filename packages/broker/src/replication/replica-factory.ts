import { ReplicatedPartition, type ReplicatedPartitionOptions } from './replicated-partition';

/**
 * Builds each partition replica a broker hosts. Only code that constructs a broker can pass another
 * one (testkit's deliberately broken brokers); no flag or environment variable reaches it.
 */
export type ReplicaFactory = (options: ReplicatedPartitionOptions) => ReplicatedPartition;

export const createReplicatedPartition: ReplicaFactory = (options) => new ReplicatedPartition(options);
