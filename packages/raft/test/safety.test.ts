/**
 * One test per part of the Raft paper's safety argument (§5.2-§5.5) and the
 * sections built on it (§6 membership, §7 compaction, §8 client reads).
 */
import { ConfChangeInProgressError, encodeConfChange, Entry, MemoryStorage, RaftNode } from '../src';
import { TestCluster } from './harness';
import { ent, msg } from './messages';
import { figure8Setup } from './scenarios';
import { behaviourWith } from './sim/unsafe-bugs';

describe('§5.2 election safety', () => {
  test('a node votes once per term, even across a restart, so two candidates cannot both win', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    c.campaign(2);
    c.deliver(c.take((m) => m.from === 1 && m.to === 3));
    c.crash(3);
    c.restart(3);
    expect([c.raft(3).term, c.raft(3).vote]).toEqual([1, 1]);
    c.stabilize();
    expect([c.raft(1).role, c.raft(2).role]).toEqual(['leader', 'follower']);
  });
});

describe('§5.3 log matching', () => {
  test('a deposed leader’s uncommitted suffix is replaced, leaving every log identical', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(1);
    c.propose(1, 'lost-1', 2);
    c.propose(1, 'lost-2');
    c.stabilize();
    c.crash(1);
    c.elect(2);
    c.propose(2, 'kept', 3);
    c.stabilize();
    c.heal();
    c.restart(1);
    c.tick(2);
    c.stabilize();
    expect(c.logOf(1)).toEqual(c.logOf(2));
    expect(c.logOf(3)).toEqual(c.logOf(2));
    expect(c.appliedOf(1)).toEqual(['kept']);
  });
});

describe('§5.4.1 election restriction', () => {
  test('a candidate missing committed entries cannot win', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'committed');
    c.stabilize();
    c.heal();
    c.crash(1);
    c.campaign(3);
    c.stabilize();
    expect(c.raft(3).role).not.toBe('leader');
    c.campaign(2);
    c.stabilize();
    expect(c.raft(2).role).toBe('leader');
  });

  test('up to date compares the last entry’s term first, then its last index', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'big batch', 100);
    c.stabilize();
    const log = c.raft(2).log;
    expect(log.isUpToDate(log.lastIndex(), 1)).toBe(true);
    expect(log.isUpToDate(log.lastIndex() - 1, 1)).toBe(false);
    expect(log.isUpToDate(1, 2)).toBe(true);
  });
});

describe('§5.4.2 committing entries from previous terms', () => {
  test('a leader does not commit an old-term entry by counting replicas', () => {
    const c = figure8Setup();
    const leader = c.raft(1);
    while (leader.tracker.progress.get(3)!.match < 2) c.deliver(c.take((m) => m.from + m.to === 4));
    expect(leader.log.committed).toBe(1);
  });

  test('the broken rule (test-only commitOldTermByCount) commits it at that same point', () => {
    const c = figure8Setup(behaviourWith('commitOldTermByCount'));
    const leader = c.raft(1);
    while (leader.tracker.progress.get(3)!.match < 2) c.deliver(c.take((m) => m.from + m.to === 4));
    expect(leader.log.committed).toBe(2);
  });
});

describe('§5.4.3 leader completeness and state machine safety', () => {
  test('every later leader holds every committed entry, and all nodes apply the same sequence', () => {
    const c = new TestCluster([1, 2, 3, 4, 5]);
    const order = [1, 2, 3, 4, 5];
    for (const [i, id] of order.entries()) {
      c.elect(id);
      c.isolate(order[(i + 2) % 5]);
      c.isolate(order[(i + 3) % 5]);
      c.propose(id, `v${i}`);
      c.stabilize();
      c.heal();
      const committed = c.raft(id).log.committed;
      c.crash(id);
      c.restart(id);
      for (const other of order) {
        const log = c.raft(other).log;
        if (log.lastIndex() >= committed && c.raft(other).log.term(committed) !== undefined) continue;
        // Nodes without the committed entry must not be able to win.
        c.campaign(other);
        c.stabilize();
        expect(c.raft(other).role).not.toBe('leader');
      }
    }
    c.elect(1);
    c.propose(1, 'last');
    c.stabilize();
    const expected = ['v0', 'v1', 'v2', 'v3', 'v4', 'last'];
    for (const id of order) expect(c.appliedOf(id).slice(-expected.length)).toEqual(expected);
  });
});

describe('§5.5 follower and candidate crashes', () => {
  test('a crashed follower loses nothing it acknowledged and catches up when it returns', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'before');
    c.stabilize();
    c.crash(3);
    c.propose(1, 'during');
    c.stabilize();
    c.restart(3);
    expect(c.appliedOf(3)).toEqual([]);
    c.tick(1);
    c.stabilize();
    expect(c.appliedOf(3)).toEqual(['before', 'during']);
  });
});

describe('§6 cluster membership changes', () => {
  test('one change at a time: a second proposal waits until the first is applied', () => {
    const c = new TestCluster([1, 2, 3]);
    c.addNode(4);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'addLearner', nodeId: 4 });
    expect(() => c.node(1).proposeConfChange({ type: 'addVoter', nodeId: 4 })).toThrow(ConfChangeInProgressError);
    c.stabilize();
    expect(c.raft(1).tracker.config).toEqual({ voters: [1, 2, 3], learners: [4] });
    c.node(1).proposeConfChange({ type: 'addVoter', nodeId: 4 });
    c.stabilize();
    for (const id of [1, 2, 3, 4]) expect(c.raft(id).tracker.config).toEqual({ voters: [1, 2, 3, 4], learners: [] });
  });

  test('a new leader proposes no change until every change already in its log is applied', () => {
    const c = new TestCluster([1, 2, 3]);
    c.addNode(4);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    c.node(1).proposeConfChange({ type: 'addLearner', nodeId: 4 });
    c.stabilize();
    c.heal();
    c.crash(1);
    c.restart(1);
    c.campaign(1);
    c.deliver(c.take((m) => m.type === 'vote'));
    c.deliver(c.take((m) => m.type === 'voteResponse'));
    expect(c.raft(1).role).toBe('leader');
    expect(() => c.node(1).proposeConfChange({ type: 'addVoter', nodeId: 4 })).toThrow(ConfChangeInProgressError);
    c.stabilize();
    c.node(1).proposeConfChange({ type: 'addVoter', nodeId: 4 });
    c.stabilize();
    expect(c.raft(2).tracker.config).toEqual({ voters: [1, 2, 3, 4], learners: [] });
  });

  test('a learner that missed the commit of its own promotion learns it from a candidate, then leads', () => {
    // Sim seed 41877: node 1, the only voter, committed 3's promotion alone and then lost, in a
    // crash, the unsynced entry it had already sent 3. Only 3 can win now, and it thinks it is a learner.
    const c = new TestCluster([1], { learners: [3], preVote: true });
    const promote: Entry = { firstIndex: 1, lastIndex: 1, term: 1, type: 'config', data: encodeConfChange({ type: 'addVoter', nodeId: 3 }) };
    c.storages.get(1)!.append([promote]);
    c.storages.get(1)!.setHardState({ term: 1, vote: 1, commit: 1 });
    c.storages.get(3)!.append([promote, ent(2, 2, 1, 'lost on 1')]);
    c.storages.get(3)!.setHardState({ term: 1, vote: 0, commit: 0 });
    c.restart(1);
    c.restart(3);
    c.processAll();
    expect(c.raft(1).tracker.config).toEqual({ voters: [1, 3], learners: [] });
    expect(c.raft(3).tracker.config).toEqual({ voters: [1], learners: [3] });
    c.campaign(1);
    c.stabilize();
    expect(c.raft(1).role).toBe('follower');
    expect(c.raft(3).tracker.config).toEqual({ voters: [1, 3], learners: [] });
    c.tick(3, 20);
    c.stabilize();
    expect(c.raft(3).role).toBe('leader');
    expect(c.logOf(1)).toEqual(c.logOf(3));
  });

  test('a vote request moves no commit index unless the voter holds the candidate’s last entry', () => {
    const storage = new MemoryStorage({ meta: { lastIndex: 0, term: 0, config: { voters: [1, 2, 3], learners: [] } }, data: new Uint8Array() });
    storage.append([ent(1, 1, 2)]);
    storage.setHardState({ term: 2, vote: 0, commit: 0 });
    const n = new RaftNode({ id: 3, storage, electionTick: 10, heartbeatTick: 1, random: () => 0 });
    n.step(msg('preVote', 1, 3, 3, { index: 1, logTerm: 1, commit: 1 }));
    expect(n.status().commit).toBe(0);
    n.step(msg('preVote', 2, 3, 3, { index: 1, logTerm: 2, commit: 1 }));
    expect(n.status().commit).toBe(1);
  });

  test('a removed node leaves the quorum', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'removeNode', nodeId: 3 });
    c.stabilize();
    c.crash(3);
    c.propose(1, 'two voters');
    c.stabilize();
    expect(c.appliedOf(2)).toEqual(['two voters']);
    expect(c.raft(1).tracker.progress.has(3)).toBe(false);
  });
});

describe('§6 a leader leaving the configuration', () => {
  test('its removal commits under the old configuration, the leader counted, and it leads until then', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    const e = c.node(1).proposeConfChange({ type: 'removeNode', nodeId: 1 });
    c.stabilize();
    // Alone, 1 is a majority of neither {1, 2, 3} nor {2, 3}.
    expect(c.raft(1).log.committed).toBeLessThan(e.lastIndex);
    expect(c.raft(1).role).toBe('leader');
    c.propose(1, 'while leaving');
    c.heal();
    c.isolate(3);
    c.tick(1);
    c.stabilize();
    // 1 and 2 are a majority of the configuration the entry was proposed in.
    expect(c.raft(1).log.applied).toBeGreaterThanOrEqual(e.lastIndex);
    expect(c.raft(1).role).toBe('follower');
    expect(c.raft(1).tracker.config).toEqual({ voters: [2, 3], learners: [] });
    expect(c.appliedOf(2)).toEqual(['while leaving']);
  });

  test('stepping down, it hands leadership to the most caught-up voter, which wins at once despite the lease', () => {
    const c = new TestCluster([1, 2, 3], { checkQuorum: true, preVote: true });
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'removeNode', nodeId: 1 });
    c.process(1);
    // The removal commits with 3 alone acknowledging it, so 3 is the more caught up of 2 and 3.
    c.deliver(c.take((m) => m.type === 'append' && m.to === 3));
    c.deliver(c.take((m) => m.type === 'appendResponse'));
    expect(c.raft(1).role).toBe('follower');
    c.stabilize();
    expect(c.raft(3).role).toBe('leader');
    expect(c.raft(3).term).toBe(2);
    c.propose(3, 'after');
    c.stabilize();
    expect(c.appliedOf(2)).toEqual(['after']);
    expect(c.raft(3).tracker.progress.has(1)).toBe(false);
  });

  test('a removed leader never campaigns again', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'removeNode', nodeId: 1 });
    c.stabilize();
    c.tick(1, 100);
    expect(c.raft(1).role).toBe('follower');
    expect(c.take((m) => m.from === 1)).toEqual([]);
  });

  test('a leader may demote itself to learner: it steps down and goes on replicating', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'addLearner', nodeId: 1 });
    c.stabilize();
    expect(c.raft(1).role).toBe('follower');
    expect(c.raft(1).tracker.config).toEqual({ voters: [2, 3], learners: [1] });
    expect(c.raft(2).role).toBe('leader');
    c.propose(2, 'to the learner too');
    c.stabilize();
    expect(c.appliedOf(1)).toEqual(['to the learner too']);
    c.tick(1, 100);
    c.stabilize();
    expect(c.raft(1).role).toBe('follower');
    expect(c.raft(2).role).toBe('leader');
  });

  test('stepping down, it tells every member how far the log is committed', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'removeNode', nodeId: 1 });
    c.process(1);
    c.deliver(c.take((m) => m.type === 'append'));
    for (const m of c.take((m) => m.type === 'appendResponse')) c.node(1).step(m);
    c.process(1);
    expect(c.raft(1).role).toBe('follower');
    // The appends that carried the commit and the hand-over are lost; the parting heartbeats are not.
    c.take((m) => m.type === 'append' || m.type === 'timeoutNow');
    c.deliver(c.take((m) => m.type === 'heartbeat'));
    for (const id of [2, 3]) expect(c.raft(id).tracker.config).toEqual({ voters: [2, 3], learners: [] });
  });

  test('the successor learns the commit from the hand-over itself, should all else be lost', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'removeNode', nodeId: 1 });
    c.process(1);
    c.deliver(c.take((m) => m.type === 'append'));
    c.deliver(c.take((m) => m.type === 'appendResponse'));
    c.deliver(c.take((m) => m.type === 'timeoutNow'));
    c.take();
    expect(c.raft(2).tracker.config).toEqual({ voters: [2, 3], learners: [] });
    c.tick(2);
    c.stabilize();
    expect(c.raft(2).role).toBe('leader');
  });

  test('a hand-over that arrives before the successor applied the removal waits for the apply', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'removeNode', nodeId: 1 });
    c.process(1);
    c.deliver(c.take((m) => m.type === 'append'));
    c.deliver(c.take((m) => m.type === 'appendResponse'));
    expect(c.raft(1).role).toBe('follower');
    // 2 learns the commit but has not applied it when the hand-over comes.
    for (const m of c.take((m) => m.to === 2)) c.node(2).step(m);
    expect(c.raft(2).role).toBe('follower');
    c.process(2);
    c.tick(2);
    c.stabilize();
    expect(c.raft(2).role).toBe('leader');
    expect(c.raft(2).tracker.config).toEqual({ voters: [2, 3], learners: [] });
  });
});

describe('§7 log compaction', () => {
  test('a follower behind the leader’s snapshot is sent the snapshot, then the rest of the log', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'a', 4);
    c.propose(1, 'b');
    c.stabilize();
    const storage = c.storages.get(1) as MemoryStorage;
    const cs = c.raft(1).tracker.config;
    storage.createSnapshot(c.raft(1).log.applied, cs, new Uint8Array([42]));
    c.propose(1, 'c');
    c.stabilize();
    c.heal();
    c.tick(1);
    c.stabilize();
    expect(c.storages.get(3)!.snapshot().data).toEqual(new Uint8Array([42]));
    expect(c.logOf(3)).toEqual(c.logOf(1));
    expect(c.appliedOf(3)).toEqual(['c']);
  });
});

describe('§8 client interaction: linearizable reads', () => {
  test('a read waits for the leader’s first commit in its term and a quorum heartbeat round', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    c.deliver(c.take((m) => m.type === 'vote'));
    c.deliver(c.take((m) => m.type === 'voteResponse'));
    c.node(1).readIndex(7);
    c.processAll();
    expect(c.readStates.get(1)).toEqual([]);
    c.stabilize();
    expect(c.readStates.get(1)).toEqual([{ index: 1, context: 7 }]);
  });

  test('a leader cut off from the quorum cannot answer a read', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(1);
    c.node(1).readIndex(8);
    c.stabilize();
    expect(c.readStates.get(1)).toEqual([]);
    c.heal();
    c.tick(1);
    c.stabilize();
    expect(c.readStates.get(1)).toEqual([{ index: 1, context: 8 }]);
  });

  test('a follower forwards its read to the leader and gets the leader’s commit index back', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x', 3);
    c.stabilize();
    expect(c.node(2).readIndex(9)).toBe(true);
    c.stabilize();
    expect(c.readStates.get(2)).toEqual([{ index: 4, context: 9 }]);
  });
});
