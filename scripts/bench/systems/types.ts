/**
 * The systems measured side by side: Gregor as one broker and as a three-broker cluster, a single
 * broker's Kafka listener driven by kafkajs, and its two peers.
 */
export type SystemName = 'gregor' | 'gregor-metrics' | 'gregor-rf3' | 'gregor-kafkajs' | 'jetstream' | 'redis';

/** Where a worker process finds a system; plain data, passed on the command line. */
export interface SystemTarget {
  system: SystemName;
  /** host:port on 127.0.0.1; for a Gregor cluster every broker's, comma-separated. */
  address: string;
  /** Gregor (either API) only: configs of the topics created, e.g. its flush policy. */
  topicConfigs?: Record<string, string>;
  /** Gregor only: replicas per partition of the topics created (default: the broker's). */
  replicationFactor?: number;
}

/** Publishes records one call each through the system's usual asynchronous API. */
export interface RecordSender {
  /** Resolves when the system has acknowledged the record. */
  send(value: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

/** One system's client, as its users would normally drive it. */
export interface SystemClient {
  /** A fresh, empty stream (topic) with one partition. */
  createStream(stream: string): Promise<void>;
  deleteStream(stream: string): Promise<void>;
  sender(stream: string): Promise<RecordSender>;
  /** Reads the stream from its beginning until `count` records arrived; returns their value bytes. */
  readFromStart(stream: string, count: number): Promise<number>;
  close(): Promise<void>;
}
