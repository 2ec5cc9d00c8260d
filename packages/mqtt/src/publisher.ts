import type { Producer } from '@gregor/client';
import type { IPublishPacket } from 'mqtt-packet';
import { recordOf } from './mqtt-records';
import type { RetainedStore } from './retained-store';
import { type ResolvedTopic, type TopicMappings } from './topic-mapping';
import { validateTopicName } from './topic-filter';

/** Turns PUBLISH packets into records of their mapped log topics (and retained messages). */
export class MqttPublisher {
  constructor(
    private readonly producer: Producer,
    readonly mappings: TopicMappings,
    private readonly retained: RetainedStore,
  ) {}

  /** The log topic and key a PUBLISH goes to; throws MqttError for a wildcard or unmapped topic. */
  resolve(topic: string): ResolvedTopic {
    validateTopicName(topic);
    return this.mappings.resolve(topic);
  }

  /** Resolves once the partition's Raft group has committed the record (and the retained topic its value). */
  async publish(packet: IPublishPacket, { mapping, key }: ResolvedTopic): Promise<void> {
    const sent = this.producer.send(mapping.logTopic, recordOf(packet, key));
    if (!packet.retain) {
      await sent;
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    await Promise.all([sent, this.retained.put({ topic: packet.topic, payload, qos: packet.qos })]);
  }
}
