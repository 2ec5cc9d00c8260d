import { MemoryStorage, RaftError, RaftNode } from '../src';
import { TestCluster } from './harness';

describe('RaftNode Ready/advance', () => {
  test('one Ready at a time: another comes only after advance()', () => {
    const c = new TestCluster([1]);
    const n = c.node(1);
    n.campaign();
    expect(n.hasReady()).toBe(true);
    n.ready();
    expect(n.hasReady()).toBe(false);
    expect(() => n.ready()).toThrow(RaftError);
    n.advance();
    expect(() => n.advance()).toThrow(RaftError);
  });

  test('a single voter commits its own entries only once they are durable', () => {
    const storage = new MemoryStorage({ meta: { lastIndex: 0, term: 0, config: { voters: [1], learners: [] } }, data: new Uint8Array() });
    const n = new RaftNode({ id: 1, storage, electionTick: 10, heartbeatTick: 1, random: () => 0 });
    n.campaign();
    const rd = n.ready();
    expect([rd.softState.role, rd.entriesToPersist.length, rd.committedEntries.length]).toEqual(['leader', 1, 0]);
    storage.setHardState(rd.hardState!);
    storage.append(rd.entriesToPersist);
    n.advance();
    const rd2 = n.ready();
    expect(rd2.committedEntries.map((e) => e.type)).toEqual(['noop']);
    expect(rd2.hardState?.commit).toBe(1);
  });

  test('a restarted node recovers term, vote, commit and log from storage', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x', 2);
    c.stabilize();
    c.crash(2);
    c.restart(2);
    const s = c.node(2).status();
    expect([s.term, s.vote, s.commit, s.lastIndex, s.role]).toEqual([1, 1, 3, 3, 'follower']);
    expect(c.appliedOf(2)).toEqual([]);
    c.processAll();
    expect(c.appliedOf(2)).toEqual(['x']);
  });

  test('restarting with `applied` skips what the application already applied, config changes included', () => {
    const c = new TestCluster([1, 2, 3]);
    c.addNode(4);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'addLearner', nodeId: 4 });
    c.stabilize();
    c.propose(1, 'x');
    c.stabilize();
    const storage = c.storages.get(2)!;
    const applied = storage.initialState().hardState.commit;
    const n = new RaftNode({ id: 2, storage, electionTick: 10, heartbeatTick: 1, random: () => 0, applied });
    expect(n.status().config).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(n.hasReady()).toBe(false);
  });

  test('membership changes take effect when their entry is handed out as committed', () => {
    const c = new TestCluster([1, 2, 3]);
    c.addNode(4);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'addLearner', nodeId: 4 });
    expect(c.raft(1).tracker.config.learners).toEqual([]);
    c.stabilize();
    expect(c.node(1).status().config).toEqual({ voters: [1, 2, 3], learners: [4] });
  });

  test('messages addressed to another node are refused', () => {
    const c = new TestCluster([1, 2]);
    expect(() => c.node(1).step({ type: 'heartbeat', from: 2, to: 3, term: 1, index: 0, logTerm: 0, commit: 0 })).toThrow(
      RaftError,
    );
  });
});
