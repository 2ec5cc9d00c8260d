import * as grpc from '@grpc/grpc-js';
import { encodeBatch } from '@gregor/records';
import { BrokerProcess, mulberry32, randomBytes, randomInt, startBroker, testSeed } from '@gregor/testkit';
import { Message, RawClient } from './helpers/raw-client';

const PAYLOADS = 3000;
const CONCURRENCY = 16;

/**
 * Thousands of random and mutated produce payloads must neither crash the
 * broker nor change data it already stored.
 */
describe('produce fuzzing', () => {
  let broker: BrokerProcess;
  let client: RawClient;
  const seed = testSeed('produce fuzzing');
  const random = mulberry32(seed);

  beforeAll(async () => {
    broker = await startBroker({ config: { 'max-request-bytes': 256 * 1024 } });
    client = new RawClient(broker.address);
  });

  afterAll(async () => {
    client?.close();
    await broker?.cleanup();
  });

  function validBatch(): Buffer {
    const count = randomInt(random, 1, 5);
    return encodeBatch(
      Array.from({ length: count }, () => ({
        key: random() < 0.5 ? null : randomBytes(random, randomInt(random, 0, 16)),
        value: randomBytes(random, randomInt(random, 0, 64)),
        headers: random() < 0.3 ? [{ key: 'h', value: randomBytes(random, 4) }] : [],
      })),
      // any of Kafka's codecs: the broker checks header and CRC only, so it stores them all alike
      { compression: random() < 0.3 ? randomInt(random, 1, 4) : 0 },
    );
  }

  function mutate(batch: Buffer): Buffer {
    const copy = Buffer.from(batch);
    switch (randomInt(random, 0, 5)) {
      case 0: // flip bytes anywhere
        for (let i = randomInt(random, 1, 4); i > 0; i--) copy[randomInt(random, 0, copy.length - 1)] ^= randomInt(random, 1, 255);
        return copy;
      case 1: // truncate
        return copy.subarray(0, randomInt(random, 0, copy.length - 1));
      case 2: // trailing garbage
        return Buffer.concat([copy, randomBytes(random, randomInt(random, 1, 64))]);
      case 3: // nonsense length field
        copy.writeInt32BE(randomInt(random, -(2 ** 31), 2 ** 31 - 1), 8);
        return copy;
      case 4: // header field past the CRC start (magic, crc, attributes, counts)
        copy.writeUInt32BE(randomInt(random, 0, 2 ** 32 - 1), randomInt(random, 16, 57));
        return copy;
      default: // two batches glued together
        return Buffer.concat([copy, validBatch()]);
    }
  }

  function randomRequest(topics: string[]): { service: 'Log'; method: string; request: Message } {
    const topic = random() < 0.9 ? topics[randomInt(random, 0, topics.length - 1)] : `x${randomInt(random, 0, 9)}`;
    const partition = random() < 0.9 ? randomInt(random, 0, 2) : randomInt(random, -5, 1000);
    const kind = random();
    if (kind < 0.6) return { service: 'Log', method: 'Produce', request: { topic, partition, batch: mutate(validBatch()) } };
    if (kind < 0.75) return { service: 'Log', method: 'Produce', request: { topic, partition, batch: randomBytes(random, randomInt(random, 0, 300)) } };
    if (kind < 0.85) {
      const records = Array.from({ length: randomInt(random, 0, 3) }, () => ({
        value: random() < 0.8 ? randomBytes(random, randomInt(random, 0, 32)) : undefined,
        timestamp: randomInt(random, -1000, 2 ** 40),
        headers: random() < 0.5 ? [{ key: String(randomInt(random, 0, 9)) }] : [],
      }));
      const batch = random() < 0.2 ? validBatch() : undefined;
      return { service: 'Log', method: 'Produce', request: { topic, partition, records, batch } };
    }
    if (kind < 0.99) {
      const offset = randomInt(random, -10, 10 ** 12);
      return { service: 'Log', method: 'Fetch', request: { topic, partition, offset, maxBytes: randomInt(random, -5, 100000) } };
    }
    const oversized = Buffer.alloc(randomInt(random, 200000, 300000));
    randomBytes(random, 64).copy(oversized);
    return { service: 'Log', method: 'Produce', request: { topic, partition, batch: oversized } };
  }

  /** Arbitrary bytes as the whole gRPC request message (not even protobuf). */
  function rawGarbage(raw: grpc.Client, bytes: Buffer): Promise<unknown> {
    return new Promise((resolve) => {
      raw.makeUnaryRequest('/gregor.v1.Log/Produce', (b: Buffer) => b, (b: Buffer) => b, bytes, (err) => resolve(err));
    });
  }

  it('keeps earlier data byte-identical and keeps serving', async () => {
    const topics = ['fuzz-a', 'fuzz-b'];
    for (const name of topics) await client.call('Admin', 'CreateTopic', { name, partitions: 3 });
    const before = new Map<string, Buffer>();
    for (const topic of topics) {
      for (let p = 0; p < 3; p++) {
        for (let i = 0; i < 5; i++) await client.call('Log', 'Produce', { topic, partition: p, batch: validBatch() });
        before.set(`${topic}/${p}`, (await client.call('Log', 'Fetch', { topic, partition: p, offset: 0, maxBytes: 1 << 20 })).records);
      }
    }

    const raw = new grpc.Client(broker.address, grpc.credentials.createInsecure());
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < PAYLOADS) {
        const n = next++;
        if (n % 20 === 0) {
          await rawGarbage(raw, randomBytes(random, randomInt(random, 0, 200)));
          continue;
        }
        const { service, method, request } = randomRequest(topics);
        const outcome = await client.call(service, method, request).then(
          () => grpc.status.OK,
          (err: grpc.ServiceError) => err.code,
        );
        statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    raw.close();

    process.stderr.write(JSON.stringify([...statuses]) + '\n' + broker.logs.slice(-20).map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(broker.running).toBe(true);
    expect(await client.call('Health', 'Check', {})).toEqual({ status: 'SERVING' });
    expect(statuses.get(grpc.status.INTERNAL) ?? 0).toBe(0);
    expect(statuses.get(grpc.status.UNKNOWN) ?? 0).toBe(0);
    expect(statuses.get(grpc.status.INVALID_ARGUMENT)).toBeGreaterThan(PAYLOADS / 4);
    for (const [key, bytes] of before) {
      const [topic, p] = key.split('/');
      const after = await client.call('Log', 'Fetch', { topic, partition: Number(p), offset: 0, maxBytes: 1 << 20 });
      expect(after.records.subarray(0, bytes.length).equals(bytes)).toBe(true);
    }
    expect((await client.call('Admin', 'ListTopics', {})).topics.map((t: Message) => t.name).sort()).toEqual(topics);
  }, 120000);
});
