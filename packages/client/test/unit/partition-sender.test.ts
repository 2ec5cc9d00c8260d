import * as grpc from '@grpc/grpc-js';
import type { ProduceResponse } from '@gregor/proto';
import { GregorError } from '../../src/errors';
import { OutgoingBatch, PartitionSender, ProducerIdentity } from '../../src/producer/partition-sender';

interface TestBatch extends OutgoingBatch<Buffer> {
  name: string;
}

interface Sent {
  bytes: Buffer;
  resolve(response: ProduceResponse): void;
  reject(err: GregorError): void;
}

const notLeader = (address = '127.0.0.1:2'): GregorError =>
  new GregorError(grpc.status.FAILED_PRECONDITION, 'not leader', { reason: 'NOT_LEADER', leaderId: 2, leaderAddress: address });
const unavailable = (): GregorError => new GregorError(grpc.status.UNAVAILABLE, 'stream closed');
const tooLarge = (): GregorError => new GregorError(grpc.status.RESOURCE_EXHAUSTED, 'batch too large');
const outOfOrder = (): GregorError => new GregorError(grpc.status.ABORTED, 'out of order', { reason: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });

/** A PartitionSender over a fake leader whose answers the test gives by hand. */
function harness(options: { identity?: ProducerIdentity | null; maxInFlight?: number; retries?: number } = {}) {
  const sent: Sent[] = [];
  /** Batches still filling that are due: the sender takes them one at a time when it has room. */
  const ready: TestBatch[] = [];
  let readyAsked = 0;
  const completed: string[] = [];
  const failed: Array<[string, string]> = [];
  const backoffs: number[] = [];
  const identities: ProducerIdentity[] = [];
  let nextProducerId = 100;
  const sender = new PartitionSender<Buffer, TestBatch>({
    identity: options.identity === undefined ? { producerId: 7, producerEpoch: 0 } : options.identity,
    maxInFlight: options.maxInFlight ?? 5,
    retries: options.retries ?? 100,
    encode: (batch, identity, baseSequence) => Buffer.from(`${batch.name}|${identity?.producerId ?? -1}|${baseSequence}`),
    send: (bytes) => new Promise((resolve, reject) => sent.push({ bytes, resolve, reject })),
    takeReady: () => {
      readyAsked++;
      return ready.shift();
    },
    completed: (batch) => completed.push(batch.name),
    failed: (batch, err) => failed.push([batch.name, err.message]),
    newIdentity: async () => {
      const identity = { producerId: nextProducerId++, producerEpoch: 0 };
      identities.push(identity);
      return identity;
    },
    backoffDelay: (attempt) => {
      backoffs.push(attempt);
      return 1;
    },
  });
  const batch = (name: string, recordCount = 2, deadline = Date.now() + 60000): TestBatch =>
    ({ name, recordCount, deadline, attempts: 0, encoded: null, order: -1 });
  const ok = (i: number): void => sent[i].resolve({ correlationId: 0, topic: 't', partition: 0, baseOffset: i, lastOffset: i, logAppendTime: 0 });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  return { sender, sent, completed, failed, backoffs, identities, batch, ok, settle, ready, readyAsked: () => readyAsked };
}

describe('PartitionSender', () => {
  it('stamps consecutive sequences and keeps at most maxInFlight batches unanswered', async () => {
    const h = harness({ maxInFlight: 2 });
    for (const name of ['a', 'b', 'c']) h.sender.enqueue(h.batch(name, 3));
    expect(h.sent.map((s) => s.bytes.toString())).toEqual(['a|7|0', 'b|7|3']);
    h.ok(0);
    await h.settle();
    expect(h.sent.map((s) => s.bytes.toString())).toEqual(['a|7|0', 'b|7|3', 'c|7|6']);
    h.ok(1);
    h.ok(2);
    await h.settle();
    expect(h.completed).toEqual(['a', 'b', 'c']);
    expect(h.sender.pending).toBe(0);
  });

  it('takes a batch still filling only when one more may be in flight and none is queued', async () => {
    const h = harness({ maxInFlight: 2 });
    h.sender.enqueue(h.batch('a'));
    h.sender.enqueue(h.batch('b'));
    const askedWhileFull = h.readyAsked();
    h.ready.push(h.batch('open'));
    expect(h.sender.hasRoom).toBe(false);
    h.sender.enqueue(h.batch('c'));
    expect(h.readyAsked()).toBe(askedWhileFull);
    h.ok(0);
    await h.settle();
    // The slot goes to the sealed batch queued first; the open one waits, still taking records.
    expect(h.sent.map((s) => s.bytes.toString().split('|')[0])).toEqual(['a', 'b', 'c']);
    expect(h.ready).toHaveLength(1);
    h.ok(1);
    await h.settle();
    expect(h.sent.map((s) => s.bytes.toString().split('|')[0])).toEqual(['a', 'b', 'c', 'open']);
    expect(h.sender.hasRoom).toBe(false);
    h.ok(2);
    await h.settle();
    expect(h.sender.hasRoom).toBe(true);
  });

  it('after a retriable failure waits for every answer, then resends the failed batches in order as the same bytes before anything new', async () => {
    const h = harness();
    for (const name of ['a', 'b', 'c']) h.sender.enqueue(h.batch(name));
    h.sent[1].reject(unavailable());
    await h.settle();
    h.sender.enqueue(h.batch('d'));
    await h.settle();
    expect(h.sent).toHaveLength(3);
    h.sent[2].reject(unavailable());
    h.ok(0);
    await h.settle();
    const resent = h.sent.slice(3).map((s) => s.bytes);
    expect(resent.map((b) => b.toString())).toEqual(['b|7|2', 'c|7|4', 'd|7|6']);
    expect(resent[0]).toBe(h.sent[1].bytes);
    expect(h.backoffs).toEqual([0]);
    h.ok(3);
    h.ok(4);
    h.ok(5);
    await h.settle();
    expect(h.completed).toEqual(['a', 'b', 'c', 'd']);
  });

  it('resends at once after a redirect to the new leader, backing off only when redirects repeat', async () => {
    const h = harness();
    h.sender.enqueue(h.batch('a'));
    for (let attempt = 0; attempt < 5; attempt++) {
      h.sent[attempt].reject(notLeader());
      await h.settle();
    }
    expect(h.sent).toHaveLength(6);
    expect(h.backoffs).toEqual([0, 1]);
    h.ok(5);
    await h.settle();
    expect(h.completed).toEqual(['a']);
  });

  it('resends a batch refused as out of sequence while a batch before it is unanswered, after that one', async () => {
    const h = harness();
    for (const name of ['a', 'b']) h.sender.enqueue(h.batch(name));
    h.sent[1].reject(outOfOrder());
    await h.settle();
    h.sent[0].reject(unavailable());
    await h.settle();
    expect(h.sent.slice(2).map((s) => s.bytes.toString())).toEqual(['a|7|0', 'b|7|2']);
    h.ok(2);
    h.ok(3);
    await h.settle();
    expect(h.completed).toEqual(['a', 'b']);
    expect(h.failed).toEqual([]);
  });

  it('gives up a batch refused as out of sequence when every batch before it was answered', async () => {
    const h = harness();
    for (const name of ['a', 'b']) h.sender.enqueue(h.batch(name));
    h.ok(0);
    await h.settle();
    h.sent[1].reject(outOfOrder());
    await h.settle();
    expect(h.completed).toEqual(['a']);
    expect(h.failed).toEqual([['b', 'out of order']]);
    expect(h.sent).toHaveLength(2);
  });

  it('sends no batch that would be the maxInFlight-th after an unanswered one, so the leader still remembers that one', async () => {
    const h = harness({ maxInFlight: 3 });
    for (const name of ['a', 'b', 'c', 'd']) h.sender.enqueue(h.batch(name));
    h.ok(1);
    h.ok(2);
    await h.settle();
    expect(h.sent.map((s) => s.bytes.toString().split('|')[0])).toEqual(['a', 'b', 'c']);
    expect(h.sender.hasRoom).toBe(false);
    h.ok(0);
    await h.settle();
    expect(h.sent.map((s) => s.bytes.toString().split('|')[0])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('has room once a given-up batch leaves nothing in flight, so a batch due takes the new producer id at once', async () => {
    const h = harness({ maxInFlight: 1 });
    h.sender.enqueue(h.batch('a'));
    h.sent[0].reject(tooLarge());
    await h.settle();
    expect(h.sender.hasRoom).toBe(true);
    h.sender.enqueue(h.batch('b'));
    await h.settle();
    expect(h.sent.map((s) => s.bytes.toString())).toEqual(['a|7|0', 'b|100|0']);
  });

  it('gives up a batch on a fatal error; batches after it fail too and the rest continue under a new producer id from sequence 0', async () => {
    const h = harness();
    for (const name of ['a', 'b', 'c']) h.sender.enqueue(h.batch(name));
    h.sent[0].reject(tooLarge());
    h.sent[1].reject(outOfOrder());
    h.ok(2);
    await h.settle();
    h.sender.enqueue(h.batch('d'));
    await h.settle();
    expect(h.failed.map(([name]) => name)).toEqual(['a', 'b']);
    expect(h.failed[1][1]).toMatch(/earlier batch of this partition failed: batch too large/);
    expect(h.completed).toEqual(['c']);
    expect(h.identities).toHaveLength(1);
    expect(h.sent[3].bytes.toString()).toBe('d|100|0');
  });

  it('after giving up a batch, a batch still filling that is due goes out under the new producer id', async () => {
    const h = harness({ maxInFlight: 1 });
    h.sender.enqueue(h.batch('a'));
    h.ready.push(h.batch('open'));
    h.sent[0].reject(tooLarge());
    await h.settle();
    expect(h.failed.map(([name]) => name)).toEqual(['a']);
    expect(h.identities).toHaveLength(1);
    expect(h.sent.map((s) => s.bytes.toString())).toEqual(['a|7|0', 'open|100|0']);
  });

  it('without idempotence a fatal error fails only its own batch', async () => {
    const h = harness({ identity: null });
    for (const name of ['a', 'b']) h.sender.enqueue(h.batch(name));
    h.sent[0].reject(tooLarge());
    h.sent[1].reject(unavailable());
    await h.settle();
    expect(h.sent[2].bytes.toString()).toBe('b|-1|-1');
    h.ok(2);
    await h.settle();
    expect(h.failed.map(([name]) => name)).toEqual(['a']);
    expect(h.completed).toEqual(['b']);
    expect(h.identities).toHaveLength(0);
  });

  it('gives up once the delivery deadline or the retries are spent', async () => {
    const h = harness({ retries: 1 });
    h.sender.enqueue(h.batch('late', 1, Date.now() - 1));
    h.sent[0].reject(unavailable());
    await h.settle();
    expect(h.failed).toEqual([['late', 'stream closed']]);

    const counted = harness({ retries: 1, identity: null });
    counted.sender.enqueue(counted.batch('a'));
    counted.sent[0].reject(unavailable());
    await counted.settle();
    counted.sent[1].reject(unavailable());
    await counted.settle();
    expect(counted.sent).toHaveLength(2);
    expect(counted.failed.map(([name]) => name)).toEqual(['a']);
  });
});
