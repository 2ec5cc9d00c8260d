import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '@gregor/client';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { kcat } from './kcat';

const WRITES = 300;
const KEYS = 5;
const LINES = Array.from({ length: WRITES }, (_, i) => `k${i % KEYS}:v${i}`);
const LATEST = new Map(LINES.map((line) => line.split(':') as [string, string]));

/** Offset, key and value of every record kcat reads from the beginning to the end. */
async function readWithKcat(kafka: string): Promise<Array<[number, string, string]>> {
  const read = await kcat(['-b', kafka, '-C', '-t', 'table', '-o', 'beginning', '-e', '-q', '-f', '%o %k %s\n']);
  expect(read.code).toBe(0);
  return read.stdout.trim().split('\n').map((line) => {
    const [offset, key, value] = line.split(' ');
    return [Number(offset), key, value];
  });
}

/** Records read from the beginning to the end: in offset order, each as produced, each key's newest value last, fewer than written. */
function expectCompacted(read: Array<[number, string, string]>): void {
  const offsets = read.map(([offset]) => offset);
  expect(offsets).toEqual([...new Set(offsets)].sort((a, b) => a - b));
  expect(offsets[offsets.length - 1]).toBe(WRITES - 1);
  expect(read.length).toBeLessThan(WRITES);
  for (const [offset, key, value] of read) expect(LINES[offset]).toBe(`${key}:${value}`);
  expect(new Map(read.map(([, key, value]) => [key, value]))).toEqual(LATEST);
}

/**
 * A compacted topic as Kafka clients nobody here wrote see it: after the cleaner ran, kcat and
 * kafkajs read from the beginning over batches that lost records or hold none, each key's newest
 * value last, and reach the end.
 */
describe('a compacted topic over the Kafka listener', () => {
  let broker: BrokerProcess;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startBroker({ kafka: true, config: { 'log-cleaner-backoff-ms': 100 } });
    admin = new Admin({ brokers: [broker.address] });
    await admin.createTopic('table', { partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0' } });
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await broker?.cleanup();
  });

  it('refuses a record without a key, as Kafka does', async () => {
    const produced = await kcat(['-b', broker.kafkaAddress, '-P', '-t', 'table', '-X', 'acks=all'], 'no key\n');
    expect(produced.stderr).toMatch(/failed to validate record/i);
  });

  it('is read by kcat and kafkajs from the beginning, each key\'s newest value kept, once the cleaner has run', async () => {
    const produced = await kcat(['-b', broker.kafkaAddress, '-P', '-t', 'table', '-K', ':', '-X', 'acks=all', '-X', 'batch.num.messages=10'], LINES.join('\n') + '\n');
    expect(produced.code).toBe(0);
    const read = await waitFor(async () => {
      const records = await readWithKcat(broker.kafkaAddress);
      return records.length < WRITES / 2 ? records : null;
    }, 30_000, 'the cleaner to compact the sealed segments');
    expectCompacted(read);

    const kafka = new Kafka({ brokers: [broker.kafkaAddress], clientId: 'compacted-test', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'compacted-readers' });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'table', fromBeginning: true });
      const seen: Array<[number, string, string]> = [];
      let reachedEnd: () => void = () => undefined;
      const ended = new Promise<void>((resolve) => (reachedEnd = resolve));
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push([Number(message.offset), message.key!.toString(), message.value!.toString()]);
          if (Number(message.offset) === WRITES - 1) reachedEnd();
        },
      });
      await ended;
      expectCompacted(seen);
    } finally {
      await consumer.disconnect();
    }
  }, 90_000);
});
