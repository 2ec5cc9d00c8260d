import { Entry, MemoryStorage, Message, RaftNode, Ready } from '../src';

const VOTERS = [1, 2, 3];

function node(id: number, storage = genesis()): { n: RaftNode; storage: MemoryStorage } {
  const n = new RaftNode({ id, storage, electionTick: 10, heartbeatTick: 1, random: () => 0, reportsSync: true });
  return { n, storage };
}

function genesis(): MemoryStorage {
  return new MemoryStorage({ meta: { lastIndex: 0, term: 0, config: { voters: VOTERS, learners: [] } }, data: new Uint8Array() });
}

/** Writes a Ready (without syncing it) and advances; returns every message it let out. */
function write(n: RaftNode, storage: MemoryStorage): { rd: Ready; out: Message[] } {
  const rd = n.ready();
  if (rd.snapshotToPersist) storage.applySnapshot(rd.snapshotToPersist);
  storage.append(rd.entriesToPersist);
  if (rd.hardState) storage.setHardState(rd.hardState);
  n.advance();
  return { rd, out: [...rd.messages, ...rd.messagesAfterPersist] };
}

function drain(n: RaftNode, storage: MemoryStorage): Message[] {
  const out: Message[] = [];
  while (n.hasReady()) out.push(...write(n, storage).out);
  return out;
}

function append(term: number, index: number, logTerm: number, entries: Entry[], commit = 0): Message {
  return { type: 'append', from: 1, to: 2, term, index, logTerm, commit, entries };
}

function entry(term: number, index: number): Entry {
  return { term, firstIndex: index, lastIndex: index, type: 'normal', data: new Uint8Array([index]) };
}

const acks = (msgs: Message[]): number[] => msgs.filter((m) => m.type === 'appendResponse' && !m.reject).map((m) => m.index);

describe('reportsSync: nothing unsynced is acknowledged', () => {
  test('a follower answers an append only once synced() covers it', () => {
    const { n, storage } = node(2);
    n.step(append(1, 0, 0, [entry(1, 1), entry(1, 2)]));
    expect(acks(drain(n, storage))).toEqual([]);
    n.synced(1);
    expect(acks(drain(n, storage))).toEqual([1]);
    n.synced(2);
    expect(acks(drain(n, storage))).toEqual([2]);
  });

  test('a leader counts itself toward the quorum only as far as it synced', () => {
    const storage = new MemoryStorage({ meta: { lastIndex: 0, term: 0, config: { voters: [1], learners: [] } }, data: new Uint8Array() });
    const n = new RaftNode({ id: 1, storage, electionTick: 10, heartbeatTick: 1, random: () => 0, reportsSync: true });
    n.campaign();
    drain(n, storage);
    n.propose(new Uint8Array([7]));
    drain(n, storage);
    expect(n.status().commit).toBe(0);
    n.synced(storage.lastIndex());
    drain(n, storage);
    expect(n.status().commit).toBe(storage.lastIndex());
  });

  test('a sync of entries that a newer leader has since replaced vouches only for what came before them', () => {
    const { n, storage } = node(2);
    n.step(append(1, 0, 0, [entry(1, 1), entry(1, 2)]));
    drain(n, storage);
    n.step({ ...append(2, 1, 1, [entry(2, 2)]), term: 2 });
    // The flush that covered the old entry 2 completes before the replacing write was handed out.
    n.synced(2);
    expect(acks(drain(n, storage))).toEqual([1]);
    n.synced(2);
    expect(acks(drain(n, storage))).toEqual([2]);
  });

  test('an acknowledgement made durable still waits for a term change since to be durable', () => {
    const { n, storage } = node(2);
    n.step(append(1, 0, 0, [entry(1, 1)]));
    drain(n, storage);
    n.synced(1);
    n.step({ type: 'heartbeat', from: 3, to: 2, term: 2, index: 0, logTerm: 0, commit: 0 });
    const rd = n.ready();
    expect([acks([...rd.messages]), acks([...rd.messagesAfterPersist])]).toEqual([[], [1]]);
  });
});
