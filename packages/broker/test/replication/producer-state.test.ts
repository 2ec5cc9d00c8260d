import { encodeBatch, readBatchHeader } from '@gregor/records';
import { ProducerStates } from '../../src/replication/producer-state';

function header(producerId: number, epoch: number, baseSequence: number, count: number) {
  const records = Array.from({ length: count }, () => ({ key: null, value: Buffer.from('v') }));
  return readBatchHeader(encodeBatch(records, { producerId, producerEpoch: epoch, baseSequence }));
}

describe('ProducerStates', () => {
  it('accepts the next sequence, recognises a retry and refuses gaps', () => {
    const states = new ProducerStates();
    expect(states.check(header(7, 0, 0, 3))).toEqual({ kind: 'new' });
    states.record(header(7, 0, 0, 3), 100, 2);
    expect(states.check(header(7, 0, 0, 3))).toEqual({ kind: 'duplicate', batch: { firstSequence: 0, lastSequence: 2, baseOffset: 100, lastOffset: 102, term: 2 } });
    expect(states.check(header(7, 0, 3, 1))).toEqual({ kind: 'new' });
    expect(() => states.check(header(7, 0, 5, 1))).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
  });

  it('fences older epochs, starts afresh on a newer one, and remembers the last five batches', () => {
    const states = new ProducerStates();
    states.record(header(1, 3, 0, 1), 0, 1);
    expect(() => states.check(header(1, 2, 1, 1))).toThrow(expect.objectContaining({ code: 'INVALID_PRODUCER_EPOCH' }));
    expect(states.check(header(1, 4, 0, 1))).toEqual({ kind: 'new' });
    for (let seq = 1; seq <= 6; seq++) states.record(header(1, 3, seq, 1), seq, 1);
    expect(() => states.check(header(1, 3, 0, 1))).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    expect(states.check(header(1, 3, 2, 1)).kind).toBe('duplicate');
  });

  it('refuses a first batch that does not start at sequence 0, of a new producer or a new epoch', () => {
    const states = new ProducerStates();
    expect(() => states.check(header(4, 0, 1000, 1))).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    states.record(header(4, 0, 0, 1), 0, 1);
    expect(() => states.check(header(4, 1, 1, 1))).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    expect(states.check(header(4, 1, 0, 1))).toEqual({ kind: 'new' });
  });

  it('lets a producer not remembered go on at any sequence once the log no longer starts at offset 0', () => {
    const states = new ProducerStates();
    states.knowsEveryProducer = false;
    expect(states.check(header(4, 0, 1000, 1))).toEqual({ kind: 'new' });
  });

  it('applies batches read back from the log, ignoring those without a producer', () => {
    const states = new ProducerStates();
    const plain = readBatchHeader(encodeBatch([{ key: null, value: null }]));
    const produced = { ...header(9, 0, 0, 2), baseOffset: 40, partitionLeaderEpoch: 6 };
    states.apply(plain);
    states.apply(produced);
    expect(states.check(header(9, 0, 0, 2))).toEqual({ kind: 'duplicate', batch: { firstSequence: 0, lastSequence: 1, baseOffset: 40, lastOffset: 41, term: 6 } });
  });

  it('restores from its snapshot exactly what it held, and encodes equal states alike', () => {
    const states = new ProducerStates();
    states.record(header(2 ** 40, 1, 0, 2), 2 ** 40, 3);
    for (let seq = 0; seq < 7; seq++) states.record(header(5, 2, seq, 1), 1000 + seq, 4);
    const restored = new ProducerStates();
    restored.restore(states.snapshot());
    expect(restored.check(header(5, 2, 6, 1))).toEqual({ kind: 'duplicate', batch: { firstSequence: 6, lastSequence: 6, baseOffset: 1006, lastOffset: 1006, term: 4 } });
    expect(restored.check(header(2 ** 40, 1, 0, 2))).toEqual({ kind: 'duplicate', batch: { firstSequence: 0, lastSequence: 1, baseOffset: 2 ** 40, lastOffset: 2 ** 40 + 1, term: 3 } });
    expect(restored.snapshot()).toEqual(states.snapshot());
    restored.restore(null);
    expect(restored.check(header(5, 2, 0, 1))).toEqual({ kind: 'new' });
  });

  it('refuses a snapshot cut short and keeps what it held', () => {
    const states = new ProducerStates();
    states.record(header(5, 0, 0, 1), 0, 1);
    const bytes = states.snapshot();
    expect(() => states.restore(bytes.subarray(0, bytes.length - 1))).toThrow();
    expect(() => states.restore(Buffer.concat([bytes, Buffer.alloc(1)]))).toThrow();
    expect(states.check(header(5, 0, 0, 1)).kind).toBe('duplicate');
  });
});
