import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface CreatableTopic {
  name: string;
  /** -1: the broker's default. */
  numPartitions: number;
  /** -1: the broker's default. */
  replicationFactor: number;
  /** Replicas placed by hand, partition by partition. */
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}

export interface CreatedTopicResult {
  name: string;
  topicId: Buffer;
  errorCode: number;
  errorMessage: string | null;
  numPartitions: number;
  replicationFactor: number;
  /** null when the topic was not created. */
  configs: Array<{ name: string; value: string; configSource: number }> | null;
}

/**
 * CreateTopics v0-v7 (flexible from 5): v1 adds validate-only and error messages, v5 answers
 * the topic's partitions, replication factor and configs, v7 its id.
 */
export function decodeRequest(r: VersionedReader): { topics: CreatableTopic[]; validateOnly: boolean } {
  const topics = r.array((t) => {
    const name = t.string();
    const numPartitions = t.int32();
    const replicationFactor = t.int16();
    const assignments = t.array((a) => {
      const partitionIndex = a.int32();
      const brokerIds = a.array((b) => b.int32());
      a.tags();
      return { partitionIndex, brokerIds };
    });
    const configs = t.array((c) => {
      const configName = c.string();
      const value = c.nullableString();
      c.tags();
      return { name: configName, value };
    });
    t.tags();
    return { name, numPartitions, replicationFactor, assignments, configs };
  });
  r.int32();
  const validateOnly = r.version >= 1 ? r.boolean() : false;
  r.tags();
  return { topics, validateOnly };
}

export function encodeResponse(w: VersionedWriter, results: readonly CreatedTopicResult[]): void {
  const v = w.version;
  if (v >= 2) w.int32(0);
  w.array(results, (t, result) => {
    t.string(result.name);
    if (v >= 7) t.uuid(result.topicId);
    t.int16(result.errorCode);
    if (v >= 1) t.nullableString(result.errorMessage);
    if (v >= 5) {
      t.int32(result.numPartitions).int16(result.replicationFactor);
      t.nullableArray(result.configs, (c, config) => {
        c.string(config.name).nullableString(config.value).boolean(false).int8(config.configSource).boolean(false);
        c.tags();
      });
    }
    t.tags();
  });
  w.tags();
}
