import { testSeed } from '@gregor/testkit';
import { batchOf } from './harness';
import { PeerCluster } from './peer-cluster';

/** A batch of one record large enough that a few fill a test segment. */
const padded = (value: string): Buffer => batchOf(value.padEnd(200, '.'));

describe('a follower behind the leader log start', () => {
  let cluster: PeerCluster;

  afterEach(() => cluster.close());

  it('catches up though the network loses the first snapshot sent to it', async () => {
    const seed = testSeed('snapshot catch-up');
    cluster = new PeerCluster([1, 2, 3], seed);
    await cluster.start();
    const leader = await cluster.elect(1);
    const follower = cluster.member(3);
    for (let i = 0; i < 5; i++) await cluster.append(leader.replica, padded(`before ${i}`));

    const isolated = (at: number, from: number): boolean => at === 3 || from === 3;
    cluster.loss = (at, m) => isolated(at, m.from);
    for (let i = 0; i < 30; i++) await cluster.append(leader.replica, padded(`while cut off ${i}`));
    leader.log.updateConfig({ retentionBytes: 0 });
    await leader.log.applyRetention({
      below: leader.replica.highWatermark,
      beforeDelete: (start, last) => leader.replica.recordLogStart(start, last.term),
    });
    expect(leader.log.logStartOffset).toBeGreaterThan(follower.log.logEndOffset);

    let lost = 0;
    cluster.loss = (at, m) => {
      if (at !== 3 || m.type !== 'snapshot' || lost > 0) return false;
      lost++;
      return true;
    };
    await cluster.until(
      () => follower.log.logStartOffset === leader.log.logStartOffset && follower.replica.highWatermark === leader.replica.highWatermark,
      "broker 3 to restart its log at the leader's start and catch up",
    );
    expect(lost).toBe(1);
    expect(leader.replica.isLeader).toBe(true);
  });
});
