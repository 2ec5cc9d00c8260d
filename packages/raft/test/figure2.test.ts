/**
 * One test per rule of Figure 2 of the Raft paper ("In Search of an
 * Understandable Consensus Algorithm", Ongaro & Ousterhout), on plain Raft
 * (no pre-vote, no check-quorum) with entries that cover index ranges.
 */
import { TestCluster } from './harness';
import { ent, msg } from './messages';
import { figure8Setup } from './scenarios';

describe('Figure 2, rules for all servers', () => {
  test('if commitIndex > lastApplied, committed entries are applied in log order', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'a');
    c.propose(1, 'b', 3);
    c.propose(1, 'c');
    c.stabilize();
    for (const id of [1, 2, 3]) expect(c.appliedOf(id)).toEqual(['a', 'b', 'c']);
    expect(c.raft(2).log.applied).toBe(c.raft(1).log.committed);
  });

  test('a request or response with a higher term makes the node adopt it and become follower', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(1).step(msg('appendResponse', 2, 1, 7, { index: 0 }));
    expect([c.raft(1).term, c.raft(1).role, c.raft(1).vote]).toEqual([7, 'follower', 0]);
  });
});

describe('Figure 2, followers', () => {
  test('an election timeout without hearing from a leader converts a follower to candidate', () => {
    const c = new TestCluster([1, 2, 3]);
    c.tick(2, 9);
    expect(c.raft(2).role).toBe('follower');
    c.tick(2);
    expect([c.raft(2).role, c.raft(2).term]).toEqual(['candidate', 1]);
  });

  test('AppendEntries from the current leader resets the election timer', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.tick(2, 9);
    c.tick(1);
    c.stabilize();
    c.tick(2, 9);
    expect([c.raft(2).role, c.raft(2).lead]).toEqual(['follower', 1]);
  });

  test('granting a vote resets the election timer', () => {
    const c = new TestCluster([1, 2, 3]);
    c.tick(3, 9);
    c.campaign(1);
    c.deliver(c.take((m) => m.to === 3));
    c.tick(3, 9);
    expect([c.raft(3).role, c.raft(3).vote]).toEqual(['follower', 1]);
  });
});

describe('Figure 2, candidates', () => {
  test('on conversion: increment the term, vote for self, request votes from all others', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    expect([c.raft(1).role, c.raft(1).term, c.raft(1).vote]).toEqual(['candidate', 1, 1]);
    const votes = c.take((m) => m.type === 'vote');
    expect(votes.map((m) => [m.to, m.term, m.index, m.logTerm])).toEqual([
      [2, 1, 0, 0],
      [3, 1, 0, 0],
    ]);
  });

  test('votes from a majority make the candidate leader', () => {
    const c = new TestCluster([1, 2, 3, 4, 5]);
    c.campaign(1);
    c.deliver(c.take((m) => m.to === 2));
    c.deliver(c.take((m) => m.type === 'voteResponse'));
    expect(c.raft(1).role).toBe('candidate');
    c.deliver(c.take((m) => m.to === 3));
    c.deliver(c.take((m) => m.type === 'voteResponse'));
    expect(c.raft(1).role).toBe('leader');
  });

  test('AppendEntries from the new leader of the same term converts a candidate to follower', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    c.campaign(2);
    c.deliver(c.take((m) => m.from === 1 && m.to === 3));
    c.deliver(c.take((m) => m.type === 'voteResponse' && m.to === 1));
    expect(c.raft(1).role).toBe('leader');
    c.stabilize();
    expect([c.raft(2).role, c.raft(2).term, c.raft(2).lead]).toEqual(['follower', 1, 1]);
  });

  test('an election timeout after a split vote starts a new election in a higher term', () => {
    const c = new TestCluster([1, 2, 3, 4]);
    c.campaign(1);
    c.campaign(2);
    c.deliver(c.take((m) => (m.from === 1 && m.to === 3) || (m.from === 2 && m.to === 4)));
    c.stabilize();
    // Each got 2 of 4 votes; a candidate that can no longer win waits as a follower.
    expect([c.raft(1).role, c.raft(2).role, c.raft(1).lead]).toEqual(['follower', 'follower', 0]);
    c.tick(1, 10);
    expect([c.raft(1).role, c.raft(1).term]).toEqual(['candidate', 2]);
    c.stabilize();
    expect(c.raft(1).role).toBe('leader');
  });
});

describe('Figure 2, leaders', () => {
  test('upon election: append an entry of the new term and send AppendEntries to each follower', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    c.deliver(c.take((m) => m.type === 'vote'));
    c.deliver(c.take((m) => m.type === 'voteResponse'));
    expect(c.logOf(1)).toEqual(['1-1@1']);
    expect(c.storages.get(1)!.entries(0, 1, Infinity)[0].type).toBe('noop');
    expect(c.take((m) => m.type === 'append').map((m) => m.to)).toEqual([2, 3]);
  });

  test('while idle, heartbeats every heartbeatTick keep followers from campaigning', () => {
    const c = new TestCluster([1, 2, 3], { heartbeatTick: 2 });
    c.elect(1);
    c.tick(1);
    expect(c.take((m) => m.type === 'heartbeat')).toHaveLength(0);
    c.tick(1);
    expect(c.take((m) => m.type === 'heartbeat').map((m) => m.to)).toEqual([2, 3]);
  });

  test('a client command is appended to the leader log and applied once committed', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    const e = c.propose(1, 'x', 5);
    expect([e.firstIndex, e.lastIndex, e.term]).toEqual([2, 6, 1]);
    expect(c.appliedOf(1)).toEqual([]);
    c.stabilize();
    expect(c.appliedOf(1)).toEqual(['x']);
    expect(c.raft(1).log.committed).toBe(6);
  });

  test('a successful AppendEntries advances the follower’s matchIndex and nextIndex', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x', 4);
    c.stabilize();
    const pr = c.raft(1).tracker.progress.get(2)!;
    expect([pr.match, pr.next, pr.state]).toEqual([5, 6, 'replicate']);
  });

  test('after a log-inconsistency rejection, nextIndex backs up past whole conflicting terms and retries', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.isolate(3);
    for (let i = 0; i < 5; i++) c.propose(1, `a${i}`);
    c.stabilize();
    c.heal();
    // Node 3 holds only the term-1 no-op: one rejection must bring nextIndex back to it.
    c.propose(1, 'b');
    c.deliver(c.take((m) => m.to === 3));
    const reject = c.take((m) => m.type === 'appendResponse' && m.from === 3);
    expect(reject.map((m) => [m.reject, m.index, m.rejectHint, m.logTerm])).toEqual([[true, 6, 1, 1]]);
    c.deliver(reject);
    expect(c.raft(1).tracker.progress.get(3)!.next).toBe(2);
    c.stabilize();
    expect(c.logOf(3)).toEqual(c.logOf(1));
  });

  test('commitIndex moves to N only when a majority matches N and log[N] is of the current term', () => {
    const c = figure8Setup();
    const leader = c.raft(1);
    const between1and3 = (m: { from: number; to: number }): boolean => m.from + m.to === 4;
    while (leader.tracker.progress.get(3)!.match < 2) c.deliver(c.take(between1and3));
    // Nodes 1 and 3 (a majority) hold 2@1, but it is from an earlier term.
    expect([leader.log.term(2), leader.log.committed]).toEqual([1, 1]);
    c.stabilize();
    // Once the term-2 no-op at index 3 is on a majority, it commits, and index 2 with it.
    expect([leader.log.committed, leader.log.term(3)]).toEqual([3, 2]);
    expect(c.appliedOf(3)).toEqual(['old']);
  });
});

describe('Figure 2, RequestVote receiver', () => {
  test('replies false if the candidate’s term is older', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.node(2).step(msg('appendResponse', 3, 2, 5));
    c.processAll();
    c.take();
    c.node(2).step(msg('vote', 3, 2, 4, { index: 10, logTerm: 4 }));
    c.processAll();
    expect(c.take().map((m) => [m.type, m.reject])).toEqual([]);
    expect(c.raft(2).vote).toBe(0);
  });

  test('grants one vote per term, only to a candidate whose log is at least as up to date', () => {
    const c = new TestCluster([1, 2, 3]);
    c.elect(1);
    c.propose(1, 'x');
    c.stabilize();
    const last = c.raft(2).log.lastIndex();
    c.node(2).step(msg('vote', 3, 2, 2, { index: last - 1, logTerm: 1 }));
    c.node(2).step(msg('vote', 1, 2, 2, { index: last, logTerm: 1 }));
    c.node(2).step(msg('vote', 3, 2, 2, { index: last + 9, logTerm: 1 }));
    c.processAll();
    expect(c.take((m) => m.type === 'voteResponse').map((m) => [m.to, m.reject === true])).toEqual([
      [3, true],
      [1, false],
      [3, true],
    ]);
    expect(c.raft(2).vote).toBe(1);
  });
});

describe('Figure 2, AppendEntries receiver', () => {
  const follower = (): TestCluster => {
    const c = new TestCluster([1, 2]);
    c.node(2).step(msg('append', 1, 2, 1, { index: 0, logTerm: 0, entries: [ent(1, 3, 1), ent(4, 4, 1), ent(5, 9, 1)] }));
    c.processAll();
    c.take();
    return c;
  };

  test('replies false if the leader’s term is older than ours', () => {
    const c = follower();
    c.node(2).step(msg('appendResponse', 1, 2, 3));
    c.node(2).step(msg('append', 1, 2, 2, { index: 9, logTerm: 1, entries: [ent(10, 10, 2)] }));
    c.processAll();
    expect(c.logOf(2)).toEqual(['1-3@1', '4-4@1', '5-9@1']);
    expect(c.take().map((m) => [m.type, m.term, m.reject])).toEqual([['appendResponse', 3, true]]);
  });

  test('replies false unless the log holds an entry ending at prevLogIndex with prevLogTerm', () => {
    const c = follower();
    for (const [index, logTerm] of [
      [9, 2],
      [7, 1],
      [12, 1],
    ]) {
      c.node(2).step(msg('append', 1, 2, 2, { index, logTerm, entries: [ent(index + 1, index + 1, 2)] }));
    }
    c.processAll();
    expect(c.take().map((m) => [m.reject, m.index])).toEqual([
      [true, 9],
      [true, 7],
      [true, 12],
    ]);
    expect(c.logOf(2)).toEqual(['1-3@1', '4-4@1', '5-9@1']);
  });

  test('deletes a conflicting entry and all that follow it, then appends what is new', () => {
    const c = follower();
    c.node(2).step(msg('append', 1, 2, 2, { index: 3, logTerm: 1, entries: [ent(4, 4, 1), ent(5, 6, 2), ent(7, 7, 2)] }));
    c.processAll();
    expect(c.logOf(2)).toEqual(['1-3@1', '4-4@1', '5-6@2', '7-7@2']);
    expect(c.take().map((m) => [m.reject === true, m.index])).toEqual([[false, 7]]);
  });

  test('appends entries not already in the log and ignores ones it has (a retried RPC is harmless)', () => {
    const c = follower();
    const again = msg('append', 1, 2, 1, { index: 3, logTerm: 1, entries: [ent(4, 4, 1)] });
    c.node(2).step(again);
    c.node(2).step(again);
    c.processAll();
    expect(c.logOf(2)).toEqual(['1-3@1', '4-4@1', '5-9@1']);
  });

  test('sets commitIndex to min(leaderCommit, last new entry)', () => {
    const c = follower();
    c.node(2).step(msg('append', 1, 2, 1, { index: 0, logTerm: 0, entries: [ent(1, 3, 1)], commit: 9 }));
    expect(c.raft(2).log.committed).toBe(3);
    c.node(2).step(msg('append', 1, 2, 1, { index: 4, logTerm: 1, entries: [], commit: 9 }));
    expect(c.raft(2).log.committed).toBe(4);
  });
});

describe('Figure 2, persistent state', () => {
  test('currentTerm and votedFor are on disk before the vote leaves', () => {
    const c = new TestCluster([1, 2, 3]);
    c.node(2).step(msg('vote', 1, 2, 1, { index: 0, logTerm: 0 }));
    const rd = c.node(2).ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.messages).toEqual([]);
    expect(rd.messagesAfterPersist.map((m) => [m.type, m.reject === true])).toEqual([['voteResponse', false]]);
  });

  test('a candidate’s own vote requests wait for its new term and self-vote to be durable', () => {
    const c = new TestCluster([1, 2, 3]);
    c.node(1).campaign();
    const rd = c.node(1).ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.messages).toEqual([]);
    expect(rd.messagesAfterPersist.map((m) => m.type)).toEqual(['vote', 'vote']);
  });

  test('a follower acknowledges entries only after they are durable', () => {
    const c = new TestCluster([1, 2]);
    c.node(2).step(msg('append', 1, 2, 1, { index: 0, logTerm: 0, entries: [ent(1, 2, 1)] }));
    const rd = c.node(2).ready();
    expect(rd.entriesToPersist.map((e) => e.lastIndex)).toEqual([2]);
    expect(rd.messagesAfterPersist.map((m) => [m.type, m.index])).toEqual([['appendResponse', 2]]);
  });
});
