import type { QoS } from 'mqtt-packet';
import { CompactedTable, type WritableTableOptions } from './compacted-table';
import { QOS_HEADER, qosOf } from './mqtt-records';
import { topicMatches } from './topic-filter';

/** The compacted topic holding each MQTT topic's retained message, keyed by the MQTT topic. */
export const RETAINED_TOPIC = '_mqtt-retained';

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
}


/**
 * Retained messages: every broker writes them to the compacted topic and keeps the whole table in
 * memory to answer subscribes. An empty retained payload is a tombstone.
 */
export class RetainedStore {
  private readonly table: CompactedTable<RetainedMessage>;

  constructor(private readonly options: WritableTableOptions) {
    this.table = new CompactedTable({
      ...options,
      topic: RETAINED_TOPIC,
      decode: (record) => {
        const topic = record.key!.toString();
        if (record.value === null || record.value.length === 0) return null;
        return { topic, payload: record.value, qos: qosOf(record.headers.find((h) => h.key === QOS_HEADER)?.value) };
      },
    });
  }

  /** Resolves once the table holds every retained message the topic held at start. */
  get ready(): Promise<void> {
    return this.table.ready;
  }

  start(): Promise<void> {
    return this.table.start();
  }

  /** Stores (or, with an empty payload, clears) a topic's retained message once the topic has it committed. */
  async put(message: RetainedMessage): Promise<void> {
    const empty = message.payload.length === 0;
    await this.options.producer.send(RETAINED_TOPIC, { key: message.topic, value: empty ? null : message.payload, headers: { [QOS_HEADER]: String(message.qos) } });
    // A subscriber on this broker sees its own retain at once, before following brings it back.
    this.table.setLocally(message.topic, empty ? null : message);
  }

  matching(filter: string): RetainedMessage[] {
    return this.table.values().filter((m) => topicMatches(filter, m.topic));
  }

  close(): Promise<void> {
    return this.table.close();
  }
}
