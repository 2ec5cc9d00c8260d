/**
 * What production Raft adds to the paper's core: pre-vote and check-quorum
 * (thesis §9.6), leadership transfer (§3.10), learners, and flow control.
 */
import { NotLeaderError, ProposalDroppedError } from '../src';
import { Inflights } from '../src/inflights';
import { TestCluster } from './harness';

describe('pre-vote and check-quorum', () => {
  test('a partitioned node does not inflate its term, so it cannot disrupt the cluster when it returns', () => {
    const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true });
    c.elect(1);
    c.isolate(3);
    c.tick(3, 50);
    c.stabilize();
    expect([c.raft(3).role, c.raft(3).term]).toEqual(['preCandidate', 1]);
    c.heal();
    c.tick(1);
    c.stabilize();
    expect([c.raft(1).role, c.raft(1).term, c.raft(3).role, c.raft(3).lead]).toEqual(['leader', 1, 'follower', 1]);
  });

  test('a leader that stops hearing from a quorum steps down after an election timeout', () => {
    const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true });
    c.elect(1);
    c.isolate(1);
    c.tick(1, 10);
    expect(c.raft(1).role).toBe('leader');
    c.tick(1, 10);
    expect(c.raft(1).role).toBe('follower');
  });

  test('the partitioned old leader steps down, the majority elects a new one, and the old one rejoins as follower', () => {
    // Election timeouts: node 2 after 11 ticks, node 3 after 12.
    const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true, jitter: (id) => (id - 1) / 10 });
    c.elect(1);
    c.isolate(1);
    c.tick(1, 20);
    c.tick(3, 11);
    c.tick(2, 11);
    c.stabilize();
    expect([c.raft(2).role, c.raft(2).term]).toEqual(['leader', 2]);
    c.propose(2, 'after');
    c.stabilize();
    c.heal();
    c.tick(1, 25);
    c.tick(2);
    c.stabilize();
    expect([c.raft(2).role, c.raft(2).term, c.raft(1).role, c.raft(1).lead]).toEqual(['leader', 2, 'follower', 2]);
    expect(c.appliedOf(1)).toEqual(['after']);
  });

  test('followers that heard from their leader recently ignore vote requests (the leader lease)', () => {
    const c = new TestCluster([1, 2, 3], { checkQuorum: true });
    c.elect(1);
    c.tick(3, 20);
    c.stabilize();
    expect([c.raft(1).role, c.raft(1).term, c.raft(2).vote]).toEqual(['leader', 1, 1]);
  });
});

describe('leadership transfer', () => {
  test('the target catches up, campaigns at once and wins the next term', () => {
    const c = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true });
    c.elect(1);
    c.isolate(3);
    c.propose(1, 'x');
    c.stabilize();
    c.heal();
    c.node(1).transferLeadership(3);
    expect(() => c.node(1).propose(new Uint8Array(1))).toThrow(ProposalDroppedError);
    c.stabilize();
    expect([c.raft(3).role, c.raft(3).term, c.raft(1).role]).toEqual(['leader', 2, 'follower']);
    expect(() => c.node(1).propose(new Uint8Array(1))).toThrow(NotLeaderError);
  });

  test('a transfer that does not finish within an election timeout is abandoned', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    c.node(1).transferLeadership(3);
    c.tick(1, 10);
    expect(c.raft(1).leadTransferee).toBe(0);
    c.propose(1, 'accepted again');
  });
});

describe('learners', () => {
  test('a learner receives the log but neither counts toward commit nor campaigns', () => {
    const c = new TestCluster([1, 2], { learners: [3] });
    c.elect(1);
    c.propose(1, 'x');
    c.stabilize();
    expect(c.appliedOf(3)).toEqual(['x']);
    c.crash(2);
    c.propose(1, 'needs 2');
    c.stabilize();
    expect(c.raft(1).log.committed).toBeLessThan(c.raft(1).log.lastIndex());
    c.tick(3, 100);
    expect(c.raft(3).role).toBe('follower');
  });

  test('a promoted learner becomes a voter that counts toward the quorum', () => {
    const c = new TestCluster([1, 2], { learners: [3] });
    c.elect(1);
    c.node(1).proposeConfChange({ type: 'addVoter', nodeId: 3 });
    c.stabilize();
    c.crash(2);
    c.propose(1, 'with 3');
    c.stabilize();
    expect(c.appliedOf(3)).toEqual(['with 3']);
  });
});

describe('flow control', () => {
  test('a follower in replicate state gets at most maxInflightMsgs unacknowledged appends', () => {
    const c = new TestCluster([1, 2], { maxInflightMsgs: 2, maxSizePerMsg: 1 });
    c.elect(1);
    for (let i = 0; i < 5; i++) c.propose(1, `e${i}`);
    expect(c.take((m) => m.type === 'append').map((m) => m.entries!.map((e) => e.lastIndex))).toEqual([[2], [3]]);
  });

  test('inflight bytes are bounded too', () => {
    const window = new Inflights(100, 60);
    window.add(2, 30);
    expect(window.full()).toBe(false);
    window.add(5, 30);
    expect(window.full()).toBe(true);
    window.freeLE(2);
    expect([window.full(), window.count()]).toEqual([false, 1]);
  });

  test('after a rejection the leader probes with one append at a time, then streams again', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 3; i++) c.propose(1, `e${i}`);
    c.stabilize();
    c.heal();
    const pr = c.raft(1).tracker.progress.get(3)!;
    const with3 = (m: { from: number; to: number }): boolean => m.to === 3 || m.from === 3;
    c.tick(1);
    while (pr.state === 'replicate') c.deliver(c.take(with3));
    expect(pr.state).toBe('probe');
    c.propose(1, 'more');
    expect(c.inFlight.filter((m) => m.type === 'append' && m.to === 3)).toHaveLength(1);
    c.stabilize();
    expect(pr.state).toBe('replicate');
    expect(c.logOf(3)).toEqual(c.logOf(1));
  });
});
