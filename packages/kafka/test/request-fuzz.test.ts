import { testSeed } from '@gregor/testkit';
import { fuzzRequests } from '../tools/request-fuzz';

describe('the Kafka request decoders under fuzzed frames', () => {
  it('answer or refuse as malformed every generated request, never throwing anything else', async () => {
    const report = await fuzzRequests(testSeed('kafka-request-fuzz'), 3000);
    // Frames must get past the header, and some past their API's decoder, or the fuzz tests little.
    expect(report.served).toBeGreaterThan(1000);
    expect(report.answered).toBeGreaterThan(50);
  }, 60_000);
});
