import { RecordsError, murmur2, partitionForKey } from '@gregor/records';

describe('murmur2', () => {
  // Kafka's UtilsTest.testMurmur2 vectors; placement must agree with Kafka's Java client.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681],
  ])('hashes %j to %d like Kafka', (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('accepts a plain Uint8Array', () => {
    expect(murmur2(new TextEncoder().encode('foobar'))).toBe(-790332482);
  });
});

describe('partitionForKey', () => {
  it('masks the sign bit before taking the remainder, as Kafka does', () => {
    // (-790332482 & 0x7fffffff) = 1357151166; 1357151166 % 50 = 16
    expect(partitionForKey(Buffer.from('foobar'), 50)).toBe(16);
    expect(partitionForKey(Buffer.from('21'), 7)).toBe((-973932308 & 0x7fffffff) % 7);
  });

  it('rejects a partition count that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, NaN]) expect(() => partitionForKey(Buffer.from('k'), n)).toThrow(RecordsError);
  });
});
