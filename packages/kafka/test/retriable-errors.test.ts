import type { BrokerSurface } from '@gregor/broker';
import { BrokerError } from '@gregor/broker';
import { ProposalDroppedError } from '@gregor/raft';
import { ErrorCode, WireReader, WireWriter, kafkaErrorCode } from '../src';
import { serveInitProducerId } from '../src/apis/init-producer-id';

describe('errors a Kafka client retries', () => {
  it('a proposal dropped by a leader handing over is NOT_LEADER_OR_FOLLOWER, not an unknown server error', () => {
    // librdkafka's idempotent producer fails the batch for good on UNKNOWN_SERVER_ERROR.
    expect(kafkaErrorCode(new ProposalDroppedError('leadership is moving'))).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('InitProducerId answers COORDINATOR_LOAD_IN_PROGRESS while the metadata log cannot allocate an id', async () => {
    const surface = { allocateProducerId: async () => Promise.reject(new BrokerError('LEADER_NOT_AVAILABLE', 'the metadata log is electing')) } as unknown as BrokerSurface;
    const handler = serveInitProducerId(surface, 2);
    const body = new WireWriter().int16(-1).int32(60_000).toBuffer();
    const out = new WireWriter();
    await handler({ apiKey: 22, apiVersion: 0, correlationId: 1, clientId: null, taggedFields: new Map() }, new WireReader(body), out, { host: '/127.0.0.1' });
    const answer = new WireReader(out.toBuffer());
    answer.int32();
    expect(answer.int16()).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(answer.int64()).toBe(-1n);
  });
});
