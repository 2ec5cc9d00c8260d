import type { VersionedReader, VersionedWriter } from '../../versioned';
import type { MetadataRequest, MetadataResponse } from './types';

/** Kafka's "no authorized operations were asked for". */
const OPERATIONS_OMITTED = -2147483648;

/**
 * Metadata v0-v12 (flexible from 9). v0 asks for every topic with an empty list, later versions
 * with null; v4 adds auto-creation, v8 asks for authorized operations (the cluster's until v10),
 * v10 names topics by id as well, v12 by id alone (name null).
 */
export function decodeRequest(r: VersionedReader): MetadataRequest {
  const v = r.version;
  const topics = r.nullableArray((t) => {
    const topicId = v >= 10 ? t.uuid() : null;
    const name = v >= 10 ? t.nullableString() : t.string();
    t.tags();
    return { topicId, name };
  });
  const allowAutoTopicCreation = v >= 4 ? r.boolean() : true;
  if (v >= 8 && v <= 10) r.boolean();
  if (v >= 8) r.boolean();
  r.tags();
  return { topics: v === 0 && topics?.length === 0 ? null : topics, allowAutoTopicCreation };
}

export function encodeResponse(w: VersionedWriter, response: MetadataResponse): void {
  const v = w.version;
  if (v >= 3) w.int32(0);
  w.array(response.brokers, (b, broker) => {
    b.int32(broker.nodeId).string(broker.host).int32(broker.port);
    if (v >= 1) b.nullableString(broker.rack);
    b.tags();
  });
  if (v >= 2) w.nullableString(response.clusterId);
  if (v >= 1) w.int32(response.controllerId);
  w.array(response.topics, (t, topic) => {
    t.int16(topic.errorCode);
    if (v >= 12) t.nullableString(topic.name);
    else t.string(topic.name ?? '');
    if (v >= 10) t.uuid(topic.topicId);
    if (v >= 1) t.boolean(topic.isInternal);
    t.array(topic.partitions, (p, partition) => {
      p.int16(partition.errorCode).int32(partition.partitionIndex).int32(partition.leaderId);
      if (v >= 7) p.int32(partition.leaderEpoch);
      p.array(partition.replicaNodes, (n, id) => n.int32(id));
      p.array(partition.isrNodes, (n, id) => n.int32(id));
      if (v >= 5) p.array(partition.offlineReplicas, (n, id) => n.int32(id));
      p.tags();
    });
    if (v >= 8) t.int32(OPERATIONS_OMITTED);
    t.tags();
  });
  if (v >= 8 && v <= 10) w.int32(OPERATIONS_OMITTED);
  w.tags();
}
