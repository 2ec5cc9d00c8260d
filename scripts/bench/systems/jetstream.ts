import { connect, JetStreamClient, JetStreamManager, NatsConnection, StorageType } from 'nats';
import { RecordSender, SystemClient } from './types';

/** Messages a JetStream consumer asks for per pull, about as many bytes as Gregor's consumer buffers per stream. */
const PULL_MESSAGES = 4096;

/**
 * NATS JetStream through nats.js v2: one file-storage stream with one
 * replica and one subject per benchmark stream, js.publish for records
 * (each resolves on the stream's PubAck), an ordered consumer to read.
 */
export class JetStreamClientAdapter implements SystemClient {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  static async connect(address: string): Promise<JetStreamClientAdapter> {
    const nc = await connect({ servers: address, maxReconnectAttempts: 0 });
    return new JetStreamClientAdapter(nc, nc.jetstream(), await nc.jetstreamManager());
  }

  async createStream(stream: string): Promise<void> {
    await this.jsm.streams.add({ name: stream, subjects: [stream], storage: StorageType.File, num_replicas: 1 });
  }

  async deleteStream(stream: string): Promise<void> {
    await this.jsm.streams.delete(stream);
  }

  async sender(stream: string): Promise<RecordSender> {
    return {
      send: (value) => this.js.publish(stream, value),
      close: () => this.nc.flush(),
    };
  }

  async readFromStart(stream: string, count: number): Promise<number> {
    if (count === 0) return 0;
    const consumer = await this.js.consumers.get(stream);
    const messages = await consumer.consume({ max_messages: PULL_MESSAGES });
    let bytes = 0;
    let records = 0;
    try {
      for await (const message of messages) {
        bytes += message.data.length;
        if (++records === count) break;
      }
    } finally {
      await messages.close();
    }
    return bytes;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
