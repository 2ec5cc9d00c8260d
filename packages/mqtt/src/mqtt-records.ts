import type { ProducerRecord } from '@gregor/client';
import type { RecordHeader } from '@gregor/records';
import type { IPublishPacket, QoS, UserProperties } from 'mqtt-packet';
import { type TopicMapping, topicFromKey } from './topic-mapping';

/** The header holding a record's full MQTT topic. */
export const TOPIC_HEADER = 'mqtt.topic';
/** The header holding the QoS it was published with, which caps the QoS it is delivered with. */
export const QOS_HEADER = 'mqtt.qos';

/** A PUBLISH as the record it becomes: keyed by the mapping's key level, its topic and MQTT 5 user properties as headers. */
export function recordOf(packet: IPublishPacket, key: string | null): ProducerRecord {
  const headers: RecordHeader[] = [
    { key: TOPIC_HEADER, value: Buffer.from(packet.topic) },
    { key: QOS_HEADER, value: Buffer.from(String(packet.qos)) },
  ];
  for (const [name, value] of Object.entries(packet.properties?.userProperties ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) headers.push({ key: name, value: Buffer.from(one) });
  }
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  return { key, value: payload, headers };
}

export interface StoredRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly RecordHeader[];
}

export interface Deliverable {
  topic: string;
  payload: Buffer;
  /** Records from other clients than MQTT ones count as published at QoS 1. */
  qos: QoS;
  userProperties: UserProperties;
}

/**
 * What a subscriber is sent for a record of a mapped topic: its stored MQTT topic, else one built from
 * its key (records produced over gRPC or Kafka); null for a tombstone or a record with neither.
 */
export function deliverableOf(record: StoredRecord, mapping: TopicMapping): Deliverable | null {
  if (record.value === null) return null;
  let topic: string | null = null;
  let qos: QoS = 1;
  const userProperties: UserProperties = {};
  for (const header of record.headers) {
    if (header.key === TOPIC_HEADER && topic === null) {
      topic = header.value?.toString() ?? null;
      continue;
    }
    if (header.key === QOS_HEADER) {
      qos = qosOf(header.value);
      continue;
    }
    const value = header.value?.toString() ?? '';
    const had = userProperties[header.key];
    userProperties[header.key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  topic ??= topicFromKey(mapping, record.key?.toString() ?? null);
  return topic === null ? null : { topic, payload: record.value, qos, userProperties };
}

/** A stored QoS; anything else than 0 or 2 reads as 1. */
export function qosOf(value: Buffer | null | undefined): QoS {
  const n = Number(value?.toString());
  return n === 0 || n === 2 ? n : 1;
}
