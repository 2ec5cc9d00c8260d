import type { ConfState } from '@gregor/raft';
import { nextMembershipStep, type GroupView } from '../../src/reassignment/membership-step';
import { nextMetadataStep } from '../../src/cluster/metadata-membership';
import type { BrokerRecord } from '../../src/controller/metadata-commands';

function view(config: ConfState, options: Partial<GroupView> & { behind?: number[] } = {}): GroupView {
  const behind = options.behind ?? [];
  return {
    config,
    changePending: options.changePending ?? false,
    leader: options.leader ?? 1,
    caughtUp: (id) => !behind.includes(id),
    canLead: (id) => !behind.includes(id) && config.voters.includes(id),
  };
}

/** Walks a group from its configuration to `target` as the driver would, assuming every step commits. */
function walk(start: ConfState, target: number[], leader: number): string[] {
  let config = start;
  let lead = leader;
  const steps: string[] = [];
  for (let i = 0; i < 20; i++) {
    const step = nextMembershipStep(view(config, { leader: lead }), target);
    if (step.kind === 'done') return steps;
    if (step.kind === 'wait') throw new Error(`stuck at ${JSON.stringify(config)}`);
    if (step.kind === 'transfer') {
      steps.push(`transfer ${step.to}`);
      lead = step.to;
      continue;
    }
    const { type, nodeId } = step.change;
    steps.push(`${type} ${nodeId}`);
    const voters = config.voters.filter((v) => v !== nodeId);
    const learners = config.learners.filter((v) => v !== nodeId);
    if (type === 'addVoter') voters.push(nodeId);
    if (type === 'addLearner') learners.push(nodeId);
    config = { voters, learners };
  }
  throw new Error('no end');
}

describe('the next membership step of a move', () => {
  it('adds a learner, promotes it, then removes the old voter', () => {
    expect(walk({ voters: [1, 2, 3], learners: [] }, [4, 2, 3], 2)).toEqual(['addLearner 4', 'addVoter 4', 'removeNode 1']);
  });

  it('hands leadership to a caught-up target voter before the leader leaves', () => {
    expect(walk({ voters: [1, 2, 3], learners: [] }, [4, 2, 3], 1)).toEqual(['addLearner 4', 'addVoter 4', 'transfer 4', 'removeNode 1']);
  });

  it('never promotes a learner that has not caught up, and never removes a voter before every new one votes', () => {
    const config = { voters: [1, 2, 3], learners: [4] };
    expect(nextMembershipStep(view(config, { behind: [4] }), [4, 2, 3])).toEqual({ kind: 'wait' });
    expect(nextMembershipStep(view(config), [4, 2, 3])).toEqual({ kind: 'change', change: { type: 'addVoter', nodeId: 4 } });
  });

  it('takes one change at a time', () => {
    expect(nextMembershipStep(view({ voters: [1, 2, 3], learners: [] }, { changePending: true }), [4, 2, 3])).toEqual({ kind: 'wait' });
  });

  it('removes a cancelled move\'s learner and a promoted one alike', () => {
    expect(walk({ voters: [1, 2, 3], learners: [4] }, [1, 2, 3], 1)).toEqual(['removeNode 4']);
    expect(walk({ voters: [1, 2, 3, 4], learners: [] }, [1, 2, 3], 1)).toEqual(['removeNode 4']);
  });

  it('moves a whole replica set, the new replicas catching up side by side', () => {
    expect(walk({ voters: [1, 2, 3], learners: [] }, [4, 5, 6], 1)).toEqual([
      'addLearner 4', 'addLearner 5', 'addLearner 6', 'addVoter 4', 'addVoter 5', 'addVoter 6', 'removeNode 2', 'removeNode 3', 'transfer 4', 'removeNode 1',
    ]);
  });
});

describe('the metadata log membership', () => {
  const broker = (id: number, extra: Partial<BrokerRecord> = {}): BrokerRecord => ({ id, address: `h:${id}`, fenced: false, registeredAt: 0, ...extra });

  it('adds a registered broker that is no member as a learner', () => {
    expect(nextMetadataStep(view({ voters: [1, 2, 3], learners: [] }), [broker(1), broker(2), broker(3), broker(4)])).toEqual({ kind: 'change', change: { type: 'addLearner', nodeId: 4 } });
  });

  it('gives a decommissioned controller\'s vote to a caught-up learner, then demotes it', () => {
    const brokers = [broker(1), broker(2, { decommissioned: true }), broker(3), broker(4)];
    expect(nextMetadataStep(view({ voters: [1, 2, 3], learners: [4] }), brokers)).toEqual({ kind: 'change', change: { type: 'addVoter', nodeId: 4 } });
    expect(nextMetadataStep(view({ voters: [1, 2, 3, 4], learners: [] }), brokers)).toEqual({ kind: 'change', change: { type: 'addLearner', nodeId: 2 } });
    expect(nextMetadataStep(view({ voters: [1, 3, 4], learners: [2] }), brokers)).toEqual({ kind: 'wait' });
  });

  it('a decommissioned leader hands leadership over before its demotion', () => {
    const brokers = [broker(1, { decommissioned: true }), broker(2), broker(3)];
    expect(nextMetadataStep(view({ voters: [1, 2, 3], learners: [] }, { leader: 1 }), brokers)).toEqual({ kind: 'transfer', to: 2 });
  });

  it('an operator\'s controller change promotes a learner only once it has caught up', () => {
    const brokers = [broker(1), broker(2), broker(3), broker(4)];
    const config = { voters: [1, 2, 3], learners: [4] };
    expect(nextMetadataStep(view(config, { behind: [4] }), brokers, [1, 2, 3, 4])).toEqual({ kind: 'wait' });
    expect(nextMetadataStep(view(config), brokers, [1, 2, 3, 4])).toEqual({ kind: 'change', change: { type: 'addVoter', nodeId: 4 } });
    expect(nextMetadataStep(view({ voters: [1, 2, 3, 4], learners: [] }), brokers, [1, 2, 3, 4])).toEqual({ kind: 'done' });
  });

  it('an operator\'s controller removal demotes the voter, after a hand-over when it leads', () => {
    const brokers = [broker(1), broker(2), broker(3)];
    expect(nextMetadataStep(view({ voters: [1, 2, 3], learners: [] }), brokers, [1, 2])).toEqual({ kind: 'change', change: { type: 'addLearner', nodeId: 3 } });
    expect(nextMetadataStep(view({ voters: [1, 2, 3], learners: [] }, { leader: 3 }), brokers, [1, 2])).toEqual({ kind: 'transfer', to: 1 });
    expect(nextMetadataStep(view({ voters: [1, 2], learners: [3] }), brokers, [1, 2])).toEqual({ kind: 'done' });
  });

  it('a controller change in progress holds back the decommission hand-over', () => {
    const brokers = [broker(1), broker(2, { decommissioned: true }), broker(3), broker(4)];
    expect(nextMetadataStep(view({ voters: [1, 2, 3], learners: [4] }, { behind: [4] }), brokers, [1, 2, 3, 4])).toEqual({ kind: 'wait' });
  });
});
