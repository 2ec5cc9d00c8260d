import { ClusterState, PartitionState, converged, highWatermarkVector } from '../../src/chaos/cluster-probe';

function partition(p: number, highWatermark: number, ends: number[], leader = 1): PartitionState {
  return {
    topic: 'chaos',
    partition: p,
    leader,
    replicas: ends.map((_, i) => i + 1),
    highWatermark,
    replicaStates: ends.map((logEndOffset, i) => ({ brokerId: i + 1, role: i + 1 === leader ? 'leader' : 'follower', logEndOffset, lag: highWatermark - logEndOffset })),
  };
}

const state = (...partitions: PartitionState[]): ClusterState => ({ controllerId: 1, brokers: [], partitions });

describe('converged', () => {
  test('every partition led and every replica at the high watermark', () => {
    expect(converged(state(partition(0, 10, [10, 10, 10]), partition(1, 4, [4, 4, 4])), 'chaos', 2)).toBe(true);
  });

  test('not while a replica lags, a partition has no leader, a replica did not report, or a partition is missing', () => {
    expect(converged(state(partition(0, 10, [10, 9, 10])), 'chaos', 1)).toBe(false);
    expect(converged(state(partition(0, 10, [10, 10, 10], 0)), 'chaos', 1)).toBe(false);
    const unreported = partition(0, 10, [10, 10, 10]);
    unreported.replicaStates.pop();
    expect(converged(state(unreported), 'chaos', 1)).toBe(false);
    expect(converged(state(partition(0, 10, [10, 10, 10])), 'chaos', 2)).toBe(false);
  });

  test('other topics do not count', () => {
    const other = { ...partition(0, 3, [1, 2, 3]), topic: 'other' };
    expect(converged(state(partition(0, 10, [10, 10, 10]), other), 'chaos', 1)).toBe(true);
  });
});

test('highWatermarkVector lists the topic\'s high watermarks in partition order', () => {
  expect(highWatermarkVector(state(partition(1, 7, [7]), partition(0, 3, [3]), { ...partition(2, 9, [9]), topic: 'other' }), 'chaos')).toBe('3,7');
});
