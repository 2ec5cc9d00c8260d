import { MemoryStorage, RaftNode } from '@gregor/raft';

function singleVoter(storage: MemoryStorage): RaftNode {
  return new RaftNode({ id: 1, storage, electionTick: 10, heartbeatTick: 1, random: () => 0, skipRedundantNoop: true });
}

/** Persists every Ready into `storage` until none is left; returns the entries persisted. */
function drain(node: RaftNode, storage: MemoryStorage): string[] {
  const persisted: string[] = [];
  while (node.hasReady()) {
    const rd = node.ready();
    if (rd.hardState) storage.setHardState(rd.hardState);
    storage.append(rd.entriesToPersist);
    persisted.push(...rd.entriesToPersist.map((e) => `${e.type}@${e.firstIndex}-${e.lastIndex}`));
    node.advance();
  }
  return persisted;
}

const voters = { voters: [1], learners: [] };

describe('skipRedundantNoop', () => {
  it('a leader whose log is all committed appends no no-op, so its first proposal takes the first index', () => {
    const storage = new MemoryStorage({ meta: { lastIndex: 0, term: 0, config: voters }, data: new Uint8Array(0) });
    const node = singleVoter(storage);
    node.campaign();
    expect(drain(node, storage)).toEqual([]);
    expect(node.status().role).toBe('leader');
    node.propose(new Uint8Array([1]), 3);
    expect(drain(node, storage)).toEqual(['normal@1-3']);
    expect(node.status().commit).toBe(3);
  });

  it('a leader holding entries not known committed still appends the no-op that commits them (§5.4.2)', () => {
    const storage = new MemoryStorage({ meta: { lastIndex: 0, term: 0, config: voters }, data: new Uint8Array(0) });
    storage.setHardState({ term: 1, vote: 1, commit: 0 });
    storage.append([{ term: 1, firstIndex: 1, lastIndex: 2, type: 'normal', data: new Uint8Array([7]) }]);
    const node = singleVoter(storage);
    node.campaign();
    expect(drain(node, storage)).toEqual(['noop@3-3']);
    expect(node.status().commit).toBe(3);
  });
});
