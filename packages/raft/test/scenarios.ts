import { RaftBehaviour } from '../src';
import { TestCluster } from './harness';

/**
 * Leader 1 of term 1 appends 'old' (2@1) while cut off, restarts and wins
 * term 2; nothing is delivered yet. Entries travel one per message.
 */
export function figure8Setup(behaviour?: RaftBehaviour): TestCluster {
  const c = new TestCluster([1, 2, 3], { maxSizePerMsg: 1, behaviour });
  c.elect(1);
  c.isolate(2);
  c.isolate(3);
  c.propose(1, 'old');
  c.stabilize();
  c.heal();
  c.crash(1);
  c.restart(1);
  c.campaign(1);
  c.deliver(c.take((m) => m.type === 'vote'));
  c.deliver(c.take((m) => m.type === 'voteResponse'));
  if (c.raft(1).role !== 'leader' || c.logOf(1).join() !== '1-1@1,2-2@1,3-3@2') throw new Error('figure 8 setup failed');
  return c;
}
