import { Entry, MemoryStorage, StorageError } from '../src';

const entry = (firstIndex: number, lastIndex: number, term: number): Entry => ({
  firstIndex,
  lastIndex,
  term,
  type: 'normal',
  data: new Uint8Array(lastIndex - firstIndex + 1),
});

describe('MemoryStorage: batches as entries, identified by (lastIndex, term)', () => {
  const stored = (): MemoryStorage => {
    const s = new MemoryStorage();
    s.append([entry(1, 3, 1), entry(4, 4, 1), entry(5, 9, 2)]);
    return s;
  };

  test('term() answers only at entry boundaries', () => {
    const s = stored();
    expect([s.term(0), s.term(3), s.term(4), s.term(9)]).toEqual([0, 1, 1, 2]);
    expect([s.term(2), s.term(7), s.term(10)]).toEqual([undefined, undefined, undefined]);
    expect([s.firstIndex(), s.lastIndex()]).toEqual([1, 9]);
  });

  test('floor() finds the last entry ending at or before an index', () => {
    const s = stored();
    expect(s.floor(7)).toEqual({ lastIndex: 4, term: 1 });
    expect(s.floor(9)).toEqual({ lastIndex: 9, term: 2 });
    expect(s.floor(2)).toEqual({ lastIndex: 0, term: 0 });
  });

  test('entries() returns whole entries in (after, to], at least one, then within maxBytes', () => {
    const s = stored();
    expect(s.entries(3, 9, Infinity).map((e) => e.lastIndex)).toEqual([4, 9]);
    expect(s.entries(0, 9, 1).map((e) => e.lastIndex)).toEqual([3]);
    expect(s.entries(0, 4, Infinity).map((e) => e.lastIndex)).toEqual([3, 4]);
  });

  test('append() truncates from the first new entry and refuses gaps', () => {
    const s = stored();
    s.append([entry(5, 6, 3)]);
    expect([s.lastIndex(), s.term(6), s.term(9)]).toEqual([6, 3, undefined]);
    expect(() => s.append([entry(9, 9, 3)])).toThrow(StorageError);
  });

  test('createSnapshot() compacts the entries it covers; the log then starts after it', () => {
    const s = stored();
    s.createSnapshot(4, { voters: [1], learners: [] }, new Uint8Array([7]));
    expect([s.firstIndex(), s.lastIndex(), s.term(4), s.term(3)]).toEqual([5, 9, 1, undefined]);
    expect(s.floor(3)).toBeUndefined();
    expect(() => s.entries(3, 9, Infinity)).toThrow(StorageError);
    expect(() => s.createSnapshot(7, { voters: [1], learners: [] }, new Uint8Array())).toThrow(StorageError);
  });
});
