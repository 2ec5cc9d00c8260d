import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { RecordSender, SystemClient } from './types';

/** A gathered send stays well under the topic's max.message.bytes (1 MiB by default), as one batch. */
const MAX_SEND_BYTES = 512 * 1024;

/** Bytes a fetch may bring per partition: a Gregor consumer's buffer, not kafkajs's 1 MiB default. */
const MAX_BYTES_PER_PARTITION = 16 * 1024 * 1024;

/**
 * Gregor's Kafka listener through kafkajs, as a Node service already on Kafka would use it:
 * one-partition topics made with its admin client, acks=-1 (the SDK's acks=all), and a group
 * consumer reading from the beginning a batch at a time. kafkajs sends one Produce request per
 * send() call, so the sender gathers the records issued in one tick into one send(), as
 * ioredis' auto-pipelining does for Redis.
 */
export class KafkajsClient implements SystemClient {
  private readonly kafka: Kafka;

  constructor(
    address: string,
    private readonly topicConfigs: Record<string, string> = {},
  ) {
    this.kafka = new Kafka({ clientId: 'bench', brokers: [address], logLevel: logLevel.NOTHING });
  }

  private async withAdmin<T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }

  async createStream(stream: string): Promise<void> {
    const configEntries = Object.entries(this.topicConfigs).map(([name, value]) => ({ name, value }));
    await this.withAdmin((admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: stream, numPartitions: 1, replicationFactor: 1, configEntries }] }));
  }

  async deleteStream(stream: string): Promise<void> {
    await this.withAdmin((admin) => admin.deleteTopics({ topics: [stream] }));
  }

  async sender(stream: string): Promise<RecordSender> {
    const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    // The first send looks the topic up; do that before the clock starts.
    await producer.send({ topic: stream, acks: -1, messages: [] });
    return { send: tickBatched(producer, stream), close: () => producer.disconnect() };
  }

  async readFromStart(stream: string, count: number): Promise<number> {
    const consumer = this.kafka.consumer({ groupId: `bench-${randomUUID()}`, maxBytesPerPartition: MAX_BYTES_PER_PARTITION, maxBytes: MAX_BYTES_PER_PARTITION * 2 });
    await consumer.connect();
    let bytes = 0;
    let records = 0;
    try {
      await consumer.subscribe({ topic: stream, fromBeginning: true });
      if (count === 0) return 0;
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) {
                if (records === count) break;
                bytes += message.value?.length ?? 0;
                records++;
              }
              if (records === count) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return bytes;
  }

  async close(): Promise<void> {}
}

interface Gathering {
  values: Buffer[];
  bytes: number;
  sent: Promise<unknown>;
}

/** send(value) for one record, the records of a tick leaving together in kafkajs send()s of up to MAX_SEND_BYTES. */
function tickBatched(producer: Producer, topic: string): (value: Buffer) => Promise<unknown> {
  let gathering: Gathering | null = null;
  return (value) => {
    if (!gathering || gathering.bytes + value.length > MAX_SEND_BYTES) {
      const batch: Gathering = { values: [], bytes: 0, sent: Promise.resolve() };
      batch.sent = new Promise((resolve) => setImmediate(resolve)).then(() => {
        if (gathering === batch) gathering = null;
        return producer.send({ topic, acks: -1, messages: batch.values.map((v) => ({ value: v })) });
      });
      gathering = batch;
    }
    gathering.values.push(value);
    gathering.bytes += value.length;
    return gathering.sent;
  };
}
