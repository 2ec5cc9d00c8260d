import { MemoryStorage, RaftInvariantError } from '../src';
import { RaftLog } from '../src/raft-log';
import { ent } from './messages';

/** Stored: 1-3@1 4-4@1 5-9@2; unstable: 10-12@3. */
function log(): RaftLog {
  const storage = new MemoryStorage();
  storage.append([ent(1, 3, 1), ent(4, 4, 1), ent(5, 9, 2)]);
  const l = new RaftLog(storage, 4, 4, 9);
  l.append([ent(10, 12, 3)]);
  return l;
}

describe('RaftLog over batch entries', () => {
  test('terms are known at entry boundaries across storage and the unstable tail', () => {
    const l = log();
    expect([l.term(4), l.term(9), l.term(12), l.term(11), l.term(13)]).toEqual([1, 2, 3, undefined, undefined]);
    expect([l.lastIndex(), l.lastTerm(), l.firstIndex()]).toEqual([12, 3, 1]);
  });

  test('unstable entries shadow stored ones they replace', () => {
    const l = log();
    l.append([ent(5, 6, 3)]);
    expect([l.lastIndex(), l.term(6), l.term(9)]).toEqual([6, 3, undefined]);
    expect(l.slice(0, 6, Infinity).map((e) => `${e.lastIndex}@${e.term}`)).toEqual(['3@1', '4@1', '6@3']);
  });

  test('findConflictByTerm skips back over entries of later terms, to a boundary', () => {
    const l = log();
    expect(l.findConflictByTerm(12, 2)).toEqual({ lastIndex: 9, term: 2 });
    expect(l.findConflictByTerm(11, 1)).toEqual({ lastIndex: 4, term: 1 });
    expect(l.findConflictByTerm(7, 5)).toEqual({ lastIndex: 4, term: 1 });
    expect(l.findConflictByTerm(12, 0)).toEqual({ lastIndex: 0, term: 0 });
  });

  test('maybeAppend refuses to truncate committed entries', () => {
    const l = log();
    expect(() => l.maybeAppend(3, 1, [ent(4, 4, 5)])).toThrow(RaftInvariantError);
  });

  test('slice respects maxBytes but always returns the first entry', () => {
    const l = log();
    expect(l.slice(4, 12, 1).map((e) => e.lastIndex)).toEqual([9]);
    expect(l.slice(4, 12, Infinity).map((e) => e.lastIndex)).toEqual([9, 12]);
  });

  test('committed entries are handed out once, in order, up to the commit index', () => {
    const l = log();
    l.commitTo(9);
    expect(l.nextCommittedEntries(Infinity).map((e) => e.lastIndex)).toEqual([9]);
    expect(() => l.commitTo(11)).toThrow(RaftInvariantError);
  });

  test('replacing entries takes the durable index back to before them, and a sync covers only what was handed over', () => {
    const l = log();
    l.append([ent(6, 8, 4)]);
    expect(l.durable).toBe(5);
    l.syncedTo(12);
    expect(l.durable).toBe(5);
  });
});
