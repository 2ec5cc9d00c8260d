import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import type { ProduceResponse } from '@gregor/proto';
import { decodeBatch, type BuiltBatch } from '@gregor/records';
import { mulberry32, randomInt, testSeed } from '@gregor/testkit';
import { GregorError } from '../../src/errors';
import { Producer, type RecordMetadata } from '../../src/producer/producer';
import { ProduceStream } from '../../src/producer/produce-stream';

const PARTITIONS = 3;
const REMEMBERED_BATCHES = 5;

interface Scenario {
  seed: number;
  /** 'file': sends come in bursts with no pause, as lines read from a file; 'stream': a pause may come before any send. */
  input: 'file' | 'stream';
  /** Records per send() call, and each record's value size. */
  sends: Array<{ sizes: number[]; partition: number | null }>;
  lingerMs: number;
  maxInFlight: number;
  batchBytes: number;
  maxBufferedBytes: number;
  retries: number;
  /** Chance that a request is lost before the leader sees it, or its answer after the leader wrote it. */
  faultRate: number;
}

interface StoredBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
}

/**
 * One partition's leader as the broker's idempotence check has it: a producer's first batch
 * carries sequence 0, every next one its last sequence + 1, and a retry of one of its last five
 * batches is answered with the original offsets.
 */
class FakePartitionLeader {
  readonly values: string[] = [];
  private readonly producers = new Map<number, StoredBatch[]>();

  write(batch: Buffer): ProduceResponse {
    const { header, records } = decodeBatch(batch);
    const lastSequence = header.baseSequence + header.lastOffsetDelta;
    const batches = this.producers.get(header.producerId) ?? [];
    const duplicate = batches.find((b) => b.firstSequence === header.baseSequence && b.lastSequence === lastSequence);
    if (duplicate) return this.answer(duplicate.baseOffset, records.length);
    const expected = batches.length === 0 ? 0 : batches[batches.length - 1].lastSequence + 1;
    if (header.baseSequence !== expected) {
      throw new GregorError(grpc.status.ABORTED, `sequence ${header.baseSequence}, expected ${expected}`, { reason: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    }
    const baseOffset = this.values.length;
    for (const record of records) this.values.push(record.value!.toString());
    batches.push({ firstSequence: header.baseSequence, lastSequence, baseOffset });
    if (batches.length > REMEMBERED_BATCHES) batches.shift();
    this.producers.set(header.producerId, batches);
    return this.answer(baseOffset, records.length);
  }

  private answer(baseOffset: number, count: number): ProduceResponse {
    return { correlationId: 0, topic: 't', partition: 0, baseOffset, lastOffset: baseOffset + count - 1, logAppendTime: 0 };
  }
}

const unavailable = (): GregorError => new GregorError(grpc.status.UNAVAILABLE, 'produce stream closed');

/** Resolves after 0 to `maxMs` ms, some of the time at once (a resolved promise): answers and lookups race each other. */
function after<T>(random: () => number, maxMs: number, value: () => T): Promise<T> {
  if (random() < 0.3) return Promise.resolve().then(value);
  return new Promise((resolve, reject) => setTimeout(() => {
    try {
      resolve(value());
    } catch (err) {
      reject(err);
    }
  }, randomInt(random, 0, maxMs)));
}

/**
 * A Producer over fake metadata, producer id and partition leaders that answer after random
 * delays and lose some requests and some answers; the scenario's sends are made as it says.
 */
async function run(scenario: Scenario): Promise<{ leaders: FakePartitionLeader[]; acknowledged: string[][] }> {
  const random = mulberry32(scenario.seed);
  const leaders = Array.from({ length: PARTITIONS }, () => new FakePartitionLeader());
  const producer = new Producer({
    brokers: '127.0.0.1:1',
    lingerMs: scenario.lingerMs,
    maxInFlightPerPartition: scenario.maxInFlight,
    batchBytes: scenario.batchBytes,
    maxBufferedBytes: scenario.maxBufferedBytes,
    retries: scenario.retries,
  });
  const cluster = producer.cluster;
  let metadataKnown = false;
  let producerIds = 1000;
  jest.spyOn(cluster.metadata, 'partitionCount').mockImplementation(() => (metadataKnown ? PARTITIONS : undefined));
  jest.spyOn(cluster, 'partitionCount').mockImplementation(() => after(random, 3, () => ((metadataKnown = true), PARTITIONS)));
  jest.spyOn(cluster, 'callAny').mockImplementation(() => after(random, 3, () => ({ producerId: producerIds++, producerEpoch: 0 })) as never);
  jest.spyOn(cluster, 'leaderAddress').mockImplementation(() => after(random, 2, () => '127.0.0.1:1'));
  jest.spyOn(cluster, 'backoffDelay').mockReturnValue(1);
  jest.spyOn(ProduceStream.prototype, 'send').mockImplementation((_topic, partition, batch: BuiltBatch) => {
    const fault = random();
    // A request lost on the way: the leader never sees it.
    if (fault < scenario.faultRate) return after(random, 2, () => { throw unavailable(); });
    let answer: () => ProduceResponse;
    try {
      const response = leaders[partition].write(batch.frame.subarray(batch.start, batch.end));
      answer = () => response;
    } catch (err) {
      answer = () => { throw err; };
    }
    // An answer lost on the way back: the leader wrote the batch.
    if (fault < 2 * scenario.faultRate) answer = () => { throw unavailable(); };
    return after(random, 2, answer);
  });

  const acknowledged: string[][] = Array.from({ length: PARTITIONS }, () => []);
  const sending: Array<Promise<void>> = [];
  let next = 0;
  for (const send of scenario.sends) {
    if (scenario.input === 'stream' && random() < 0.3) await new Promise((resolve) => setTimeout(resolve, randomInt(random, 0, 2)));
    const records = send.sizes.map((size) => ({ value: `${next++}:`.padEnd(size, '.'), partition: send.partition ?? undefined }));
    sending.push(
      producer.send('t', records).then(
        (results: RecordMetadata[]) => results.forEach((r, i) => acknowledged[r.partition].push(records[i].value)),
        () => undefined,
      ),
    );
  }
  await Promise.all(sending);
  await producer.close();
  return { leaders, acknowledged };
}

const scenarios: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  input: fc.constantFrom<Scenario['input']>('file', 'stream'),
  sends: fc.array(
    fc.record({ sizes: fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 }), partition: fc.option(fc.integer({ min: 0, max: PARTITIONS - 1 })) }),
    { minLength: 1, maxLength: 40 },
  ),
  lingerMs: fc.integer({ min: 0, max: 5 }),
  maxInFlight: fc.integer({ min: 1, max: 5 }),
  batchBytes: fc.integer({ min: 4096, max: 65536 }),
  maxBufferedBytes: fc.integer({ min: 16384, max: 1 << 20 }),
  retries: fc.oneof(fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: 3 })),
  faultRate: fc.constantFrom(0, 0.05, 0.2),
});

const sequenceNumber = (value: string): number => Number(value.slice(0, value.indexOf(':')));

describe('Producer ordering (property)', () => {
  afterEach(() => jest.restoreAllMocks());

  it("stores each partition's records in send order, every acknowledged one exactly once, from file-like bursts and paced streams", async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { leaders, acknowledged } = await run(scenario);
        leaders.forEach((leader, partition) => {
          const stored = leader.values.map(sequenceNumber);
          const inSendOrder = stored.every((n, i) => i === 0 || n > stored[i - 1]);
          if (!inSendOrder) throw new Error(`partition ${partition} holds records out of send order: ${stored.join(',')}`);
          const held = new Set(leader.values);
          const missing = acknowledged[partition].filter((value) => !held.has(value));
          if (missing.length > 0) throw new Error(`partition ${partition} lacks acknowledged records ${missing.map(sequenceNumber).join(',')}`);
        });
        if (scenario.retries === Number.MAX_SAFE_INTEGER) {
          const total = scenario.sends.reduce((n, s) => n + s.sizes.length, 0);
          expect(acknowledged.flat()).toHaveLength(total);
        }
      }),
      { seed: testSeed('producer ordering'), numRuns: 100, timeout: 5000 },
    );
  }, 120_000);
});
