import { fuzzCluster, testSeed } from '../src';

jest.setTimeout(300_000);

/** A bounded run of `npm run fuzz` (which sends a million). */
describe('fuzzing every RPC of a three-broker cluster', () => {
  it('gets a typed status for every request, keeps every broker alive and the reference topic intact', async () => {
    const seed = testSeed('rpc fuzzing');
    const { report, deadBrokers, changedPartitions } = await fuzzCluster({ requests: 5000, seed });
    process.stderr.write(`${JSON.stringify(report.byStatus)}\n`);
    expect(report.sent).toBe(5000);
    expect(report.untyped.slice(0, 5)).toEqual([]);
    expect(deadBrokers).toEqual([]);
    expect(changedPartitions).toEqual([]);
    // The requests reach the handlers, not only the decoder.
    expect(report.byStatus.OK).toBeGreaterThan(100);
    expect(report.byStatus.INVALID_ARGUMENT).toBeGreaterThan(100);
  });
});
