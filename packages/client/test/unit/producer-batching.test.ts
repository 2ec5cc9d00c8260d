import * as grpc from '@grpc/grpc-js';
import type { ProduceResponse } from '@gregor/proto';
import { RECORDS_COUNT_POS, type BuiltBatch } from '@gregor/records';
import { GregorError } from '../../src/errors';
import { Producer } from '../../src/producer/producer';
import { ProduceStream } from '../../src/producer/produce-stream';

/** The Producer over a stubbed stream and metadata, with fake timers: sends are answered by hand. */
describe('Producer batching', () => {
  const sends: Array<{ records: number; answer(): void }> = [];
  let nextOffset = 0;

  beforeEach(() => {
    jest.useFakeTimers();
    sends.length = 0;
    jest.spyOn(ProduceStream.prototype, 'send').mockImplementation((_topic, _partition, batch: BuiltBatch) => {
      const records = batch.frame.readInt32BE(batch.start + RECORDS_COUNT_POS);
      return new Promise<ProduceResponse>((resolve) => {
        sends.push({
          records,
          answer: () => {
            resolve({ correlationId: 0, topic: 't', partition: 0, baseOffset: nextOffset, lastOffset: nextOffset + records - 1, logAppendTime: 0 });
            nextOffset += records;
          },
        });
      });
    });
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  function producer(): Producer {
    const p = new Producer({ brokers: '127.0.0.1:1', idempotent: false, lingerMs: 5, maxInFlightPerPartition: 1 });
    jest.spyOn(p.cluster.metadata, 'partitionCount').mockReturnValue(1);
    jest.spyOn(p.cluster, 'leaderAddress').mockResolvedValue('127.0.0.1:1');
    return p;
  }

  it('keeps filling a batch past its linger while the partition has no room, and sends it when an answer frees one', async () => {
    const p = producer();
    const first = p.send('t', { value: 'a' });
    await jest.advanceTimersByTimeAsync(5);
    expect(sends.map((s) => s.records)).toEqual([1]);

    const later = [p.send('t', { value: 'b' })];
    await jest.advanceTimersByTimeAsync(10);
    later.push(p.send('t', { value: 'c' }), p.send('t', { value: 'd' }));
    await jest.advanceTimersByTimeAsync(10);
    expect(sends.map((s) => s.records)).toEqual([1]);

    sends[0].answer();
    await expect(first).resolves.toMatchObject({ offset: 0 });
    await jest.advanceTimersByTimeAsync(0);
    expect(sends.map((s) => s.records)).toEqual([1, 3]);
    sends[1].answer();
    expect((await Promise.all(later)).map((r) => r.offset)).toEqual([1, 2, 3]);
    const closing = p.close();
    await jest.advanceTimersByTimeAsync(0);
    await closing;
  });

  it('sends a batch when its linger passes if the partition has room', async () => {
    const p = producer();
    const sending = p.send('t', [{ value: 'a' }, { value: 'b' }]);
    await jest.advanceTimersByTimeAsync(4);
    expect(sends).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(sends.map((s) => s.records)).toEqual([2]);
    sends[0].answer();
    await sending;
    await p.close();
  });

  it('sends waiting for the producer id share one request for it, and fail together when it fails', async () => {
    const p = new Producer({ brokers: '127.0.0.1:1', lingerMs: 0 });
    jest.spyOn(p.cluster.metadata, 'partitionCount').mockReturnValue(1);
    let asked = 0;
    jest.spyOn(p.cluster, 'callAny').mockImplementation(async () => {
      asked++;
      throw new GregorError(grpc.status.UNAVAILABLE, 'no broker answered');
    });
    const sends = ['a', 'b', 'c'].map((value) => p.send('t', { value }));
    for (const sending of sends) await expect(sending).rejects.toThrow('no broker answered');
    expect(asked).toBe(1);
    await p.close();
  });
});
