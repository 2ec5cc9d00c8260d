import { offsetFor } from '../src/broker-surface';
import type { PartitionReplica } from '../src/partition-replica';

/** A leader just elected: its high watermark lags what it learns once an entry of its term commits. */
function newLeader(staleHighWatermark: number, completeHighWatermark: number): PartitionReplica {
  return {
    requireLeader: () => undefined,
    logStartOffset: 0,
    highWatermark: staleHighWatermark,
    completeHighWatermark: async () => completeHighWatermark,
    offsetForTimestamp: async () => completeHighWatermark - 1,
    maxTimestampRecord: async () => ({ offset: completeHighWatermark - 1, timestamp: 1 }),
  } as unknown as PartitionReplica;
}

describe('offsetFor on a leader that has not yet learned its commit index', () => {
  it('answers the latest offset from the complete high watermark, never the stale one', async () => {
    expect(await offsetFor(newLeader(1991, 6000), 'latest')).toBe(6000);
  });

  it('finds records by time and by largest timestamp up to the complete high watermark', async () => {
    expect(await offsetFor(newLeader(1991, 6000), { timestamp: 5 })).toBe(5999);
    expect(await offsetFor(newLeader(1991, 6000), 'max-timestamp')).toBe(5999);
  });
});
