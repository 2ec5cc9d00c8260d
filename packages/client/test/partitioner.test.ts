import { partitionForKey } from '@gregor/records';
import { mulberry32 } from '@gregor/testkit';
import { Partitioner } from '@gregor/client';

describe('Partitioner', () => {
  it('sends keyed records to murmur2(key) mod partitions, like Kafka', () => {
    const partitioner = new Partitioner(mulberry32(1));
    for (const key of ['a', 'user-42', 'ünïcode', '']) {
      const bytes = Buffer.from(key);
      expect(partitioner.partition('t', bytes, 7)).toBe(partitionForKey(bytes, 7));
    }
  });

  it('sticks null-key records to one partition until its batch is sealed, then moves', () => {
    const partitioner = new Partitioner(mulberry32(2));
    const first = partitioner.partition('t', null, 5);
    for (let i = 0; i < 10; i++) expect(partitioner.partition('t', null, 5)).toBe(first);
    partitioner.batchSealed('t', (first + 1) % 5, 5);
    expect(partitioner.partition('t', null, 5)).toBe(first);
    partitioner.batchSealed('t', first, 5);
    expect(partitioner.partition('t', null, 5)).not.toBe(first);
  });

  it('keeps topics apart and stays in range when partitions shrink', () => {
    const partitioner = new Partitioner(() => 0.99);
    expect(partitioner.partition('a', null, 10)).toBe(9);
    expect(partitioner.partition('a', null, 3)).toBeLessThan(3);
    expect(partitioner.partition('b', null, 1)).toBe(0);
  });
});
