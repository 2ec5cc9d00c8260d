import { CompressionType, decodeBatch } from '@gregor/records';
import { BufferedBytes } from '../../src/producer/buffered-bytes';
import { encodeBatch, type OpenBatch } from '../../src/producer/open-batch';
import { Partitioner } from '../../src/producer/partitioner';
import { RecordAccumulator } from '../../src/producer/record-accumulator';

/** An accumulator whose sealed batches are collected as they arrive; its sender has room unless told otherwise. */
function accumulator(batchBytes: number): { acc: RecordAccumulator; sealed: OpenBatch[]; memory: BufferedBytes; room: { value: boolean } } {
  const sealed: OpenBatch[] = [];
  const room = { value: true };
  const memory = new BufferedBytes(1 << 20);
  const acc = new RecordAccumulator({
    lingerMs: 5,
    batchBytes,
    deliveryTimeoutMs: 60000,
    compression: CompressionType.None,
    partitioner: new Partitioner(() => 0),
    memory,
    sealed: { enqueue: (batch) => sealed.push(batch), hasRoom: () => room.value },
  });
  return { acc, sealed, memory, room };
}

const values = (batch: OpenBatch): string[] => {
  const built = encodeBatch(batch, null, -1);
  return decodeBatch(built.frame.subarray(built.start, built.end)).records.map((r) => r.value!.toString());
};

describe('RecordAccumulator', () => {
  afterEach(() => jest.useRealTimers());

  it('hands full batches to the sender at once, in the order sealed, each holding its records in append order', () => {
    const { acc, sealed, memory } = accumulator(4096);
    const open = acc.batchesOf('t');
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      // 2000, 100, then 3000 bytes, which does not fit: it seals the batch before it; alone, it leaves
      // too little room for another like it and seals its own.
      const value = `${i}:`.padEnd([2000, 100, 3000][i % 3], '.');
      sent.push(value);
      acc.append('t', 1, open, { value }, 0, null, 0, () => undefined, () => undefined);
    }
    expect(sealed.length).toBeGreaterThan(1);
    acc.sealAll();
    expect(sealed.flatMap(values)).toEqual(sent);
    expect(sealed.reduce((n, batch) => n + batch.recordCount, 0)).toBe(40);
    expect(acc.idle).toBe(false);
    for (const batch of sealed) acc.done(batch, true);
    expect(acc.idle).toBe(true);
    expect(memory.hasRoom).toBe(true);
  });

  it('keeps a batch past its linger open while the sender has no room, and hands it over when the sender asks for it', () => {
    jest.useFakeTimers();
    const { acc, sealed, room } = accumulator(1 << 20);
    room.value = false;
    const open = acc.batchesOf('t');
    acc.append('t', 1, open, { value: 'a' }, 0, null, 0, () => undefined, () => undefined);
    jest.advanceTimersByTime(5);
    acc.append('t', 1, open, { value: 'b' }, 0, null, 0, () => undefined, () => undefined);
    expect(sealed).toHaveLength(0);
    const ready = acc.takeReady('t', 0)!;
    expect(values(ready)).toEqual(['a', 'b']);
    expect(acc.takeReady('t', 0)).toBeUndefined();
  });
});
