import type { Entry } from '@gregor/raft';
import { RecentEntries } from '../../src/replication/recent-entries';

/** A normal entry covering [firstIndex, lastIndex] whose data is `bytes` long. */
function entry(firstIndex: number, lastIndex: number, bytes = 10, term = 1): Entry {
  return { term, firstIndex, lastIndex, type: 'normal', data: new Uint8Array(bytes) };
}

function indexes(entries: readonly Entry[] | undefined): Array<[number, number]> | undefined {
  return entries?.map((e) => [e.firstIndex, e.lastIndex]);
}

describe('RecentEntries', () => {
  it('answers with the entries it was given, from the one right after afterIndex up to toIndex', () => {
    const recent = new RecentEntries(1 << 20);
    const written = [entry(1, 3), entry(4, 4), entry(5, 9)];
    recent.add(written);
    const held = recent.slice(3, 9, Infinity)!;
    expect(held).toHaveLength(2);
    expect(held[0]).toBe(written[1]);
    expect(held[1]).toBe(written[2]);
    expect(indexes(recent.slice(0, 4, Infinity))).toEqual([[1, 3], [4, 4]]);
  });

  it('stops at maxBytes, but always gives the first entry', () => {
    const recent = new RecentEntries(1 << 20);
    recent.add([entry(1, 1, 100), entry(2, 2, 100), entry(3, 3, 100)]);
    expect(indexes(recent.slice(0, 3, 250))).toEqual([[1, 1], [2, 2]]);
    expect(indexes(recent.slice(0, 3, 200))).toEqual([[1, 1], [2, 2]]);
    expect(indexes(recent.slice(0, 3, 1))).toEqual([[1, 1]]);
  });

  it('does not answer for an entry it does not hold, nor from inside an entry', () => {
    const recent = new RecentEntries(1 << 20);
    recent.add([entry(5, 7), entry(8, 8)]);
    expect(recent.slice(2, 8, Infinity)).toBeUndefined();
    expect(recent.slice(5, 8, Infinity)).toBeUndefined();
    expect(recent.slice(8, 9, Infinity)).toBeUndefined();
  });

  it('forgets applied entries', () => {
    const recent = new RecentEntries(1 << 20);
    recent.add([entry(1, 1), entry(2, 2), entry(3, 3)]);
    recent.releaseThrough(2);
    expect(recent.slice(0, 3, Infinity)).toBeUndefined();
    expect(indexes(recent.slice(2, 3, Infinity))).toEqual([[3, 3]]);
  });

  it('lets entries written over a cut tail replace it', () => {
    const recent = new RecentEntries(1 << 20);
    recent.add([entry(1, 1), entry(2, 3), entry(4, 4)]);
    const replacement = entry(2, 2, 10, 2);
    recent.add([replacement]);
    expect(recent.slice(1, 4, Infinity)).toEqual([replacement]);
    expect(indexes(recent.slice(0, 4, Infinity))).toEqual([[1, 1], [2, 2]]);
  });

  it('drops what it held when new entries do not follow them', () => {
    const recent = new RecentEntries(1 << 20);
    recent.add([entry(1, 1), entry(2, 2)]);
    recent.add([entry(10, 10)]);
    expect(recent.slice(0, 2, Infinity)).toBeUndefined();
    expect(indexes(recent.slice(9, 10, Infinity))).toEqual([[10, 10]]);
  });

  it('holds at most maxBytes, dropping the oldest entries first', () => {
    const recent = new RecentEntries(250);
    recent.add([entry(1, 1, 100), entry(2, 2, 100)]);
    recent.add([entry(3, 3, 100)]);
    expect(recent.slice(0, 3, Infinity)).toBeUndefined();
    expect(indexes(recent.slice(1, 3, Infinity))).toEqual([[2, 2], [3, 3]]);
  });
});
