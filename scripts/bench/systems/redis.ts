import Redis from 'ioredis';
import { RecordSender, SystemClient } from './types';

const FIELD = 'v';
/** Entries per XREAD, about as many bytes as Gregor's consumer buffers per stream. */
const READ_COUNT = 4096;

/**
 * Redis Streams through ioredis: XADD per record with auto-pipelining (the
 * commands issued in one tick go out in one write), XREAD in COUNT-sized
 * steps to read. A benchmark stream is one stream key.
 */
export class RedisClient implements SystemClient {
  private readonly redis: Redis;

  constructor(address: string) {
    const [host, port] = address.split(':');
    this.redis = new Redis({ host, port: Number(port), enableAutoPipelining: true, maxRetriesPerRequest: 0, lazyConnect: true });
  }

  static async connect(address: string): Promise<RedisClient> {
    const client = new RedisClient(address);
    await client.redis.connect();
    return client;
  }

  async createStream(stream: string): Promise<void> {
    await this.redis.del(stream);
  }

  async deleteStream(stream: string): Promise<void> {
    await this.redis.del(stream);
  }

  async sender(stream: string): Promise<RecordSender> {
    return {
      send: (value) => this.redis.xadd(stream, '*', FIELD, value),
      close: async () => undefined,
    };
  }

  async readFromStart(stream: string, count: number): Promise<number> {
    let lastId = '0-0';
    let bytes = 0;
    let records = 0;
    while (records < count) {
      const reply = await this.redis.xreadBuffer('COUNT', READ_COUNT, 'STREAMS', stream, lastId);
      if (reply === null) throw new Error(`redis stream ${stream} ended after ${records} of ${count} records`);
      const entries = reply[0][1];
      for (const [, fields] of entries) bytes += fields[1].length;
      records += entries.length;
      lastId = entries[entries.length - 1][0].toString();
    }
    return bytes;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
