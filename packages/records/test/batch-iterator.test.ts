import { RecordsError, encodeBatch, iterateBatches } from '@gregor/records';

function batchAt(baseOffset: number, values: string[]): Buffer {
  return encodeBatch(
    values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: 1000 })),
    { baseOffset },
  );
}

describe('iterateBatches', () => {
  const first = batchAt(0, ['a', 'b']);
  const second = batchAt(2, ['c']);
  const third = batchAt(3, ['d', 'e', 'f']);
  const all = Buffer.concat([first, second, third]);

  it('walks batches laid end to end', () => {
    const seen = [...iterateBatches(all)].map(({ position, header }) => [position, header.baseOffset]);
    expect(seen).toEqual([
      [0, 0],
      [first.length, 2],
      [first.length + second.length, 3],
    ]);
  });

  it('stops before a partial trailing batch', () => {
    for (const cut of [1, 11, 12, 60, third.length - 1]) {
      const offsets = [...iterateBatches(all.subarray(0, all.length - cut))].map((b) => b.header.baseOffset);
      expect(offsets).toEqual([0, 2]);
    }
  });

  it('yields nothing for an empty buffer', () => {
    expect([...iterateBatches(Buffer.alloc(0))]).toEqual([]);
  });

  it('throws rather than loop on a length field shorter than a header', () => {
    const bad = Buffer.from(all);
    bad.writeInt32BE(0, first.length + 8);
    expect(() => [...iterateBatches(bad)]).toThrow(RecordsError);
  });
});
