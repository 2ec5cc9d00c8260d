import { Admin, Connection, Consumer, Producer } from '@gregor/client';
import { RecordSender, SystemClient } from './types';

/**
 * Gregor through @gregor/client with its default settings: a Producer that
 * batches per partition (lingerMs 5, 256 KiB batches) over one ProduceStream,
 * and a Consumer on a Subscribe stream, read a pushed chunk at a time with
 * `batches()` as a high-rate reader would (Redis' XREAD hands back batches
 * too). Topics have one partition, like the single JetStream stream and
 * Redis stream key they are compared with.
 */
export class GregorClient implements SystemClient {
  private readonly connection: Connection;
  private readonly admin: Admin;

  constructor(
    address: string,
    private readonly topicConfigs: Record<string, string> = {},
  ) {
    this.connection = new Connection({ address });
    this.admin = new Admin({ connection: this.connection });
  }

  async createStream(stream: string): Promise<void> {
    await this.admin.createTopic(stream, { partitions: 1, configs: this.topicConfigs });
  }

  async deleteStream(stream: string): Promise<void> {
    await this.admin.deleteTopic(stream);
  }

  async sender(stream: string): Promise<RecordSender> {
    const producer = new Producer({ connection: this.connection });
    // The first send looks the topic up; do that before the clock starts.
    await producer.send(stream, []);
    return {
      send: (value) => producer.send(stream, { value }),
      close: () => producer.close(),
    };
  }

  async readFromStart(stream: string, count: number): Promise<number> {
    const consumer = new Consumer({ connection: this.connection, autoOffsetReset: 'earliest' });
    let bytes = 0;
    let records = 0;
    try {
      await consumer.assignTopic(stream);
      if (count === 0) return 0;
      for await (const batch of consumer.batches()) {
        const take = Math.min(batch.length, count - records);
        for (let i = 0; i < take; i++) bytes += batch[i].value?.length ?? 0;
        records += take;
        if (records === count) break;
      }
    } finally {
      consumer.close();
    }
    return bytes;
  }

  async close(): Promise<void> {
    this.connection.close();
  }
}
