import * as grpc from '@grpc/grpc-js';
import { RecordsError } from '@gregor/records';
import { StorageError } from '@gregor/storage';
import { BrokerError, toStatus } from '@gregor/broker';
import { ProposalDroppedError } from '@gregor/raft';
import { NotLeaderError } from '../src/errors';

describe('error to gRPC status mapping', () => {
  it.each([
    [new BrokerError('UNKNOWN_TOPIC', 'm'), grpc.status.NOT_FOUND],
    [new BrokerError('TOPIC_EXISTS', 'm'), grpc.status.ALREADY_EXISTS],
    [new BrokerError('OFFSET_OUT_OF_RANGE', 'm'), grpc.status.OUT_OF_RANGE],
    [new BrokerError('REQUEST_TOO_LARGE', 'm'), grpc.status.RESOURCE_EXHAUSTED],
    [new BrokerError('SHUTTING_DOWN', 'm'), grpc.status.UNAVAILABLE],
    [new BrokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', 'm'), grpc.status.ABORTED],
    [new StorageError('OFFSET_OUT_OF_RANGE', 'm'), grpc.status.OUT_OF_RANGE],
    [new StorageError('RECORD_TOO_LARGE', 'm'), grpc.status.RESOURCE_EXHAUSTED],
    [new StorageError('LOG_CLOSED', 'm'), grpc.status.UNAVAILABLE],
    [new StorageError('CORRUPT_LOG', 'm'), grpc.status.DATA_LOSS],
    [new RecordsError('CORRUPT_BATCH', 'm'), grpc.status.INVALID_ARGUMENT],
    [new RecordsError('BATCH_TOO_LARGE', 'm'), grpc.status.RESOURCE_EXHAUSTED],
    [new RecordsError('INVALID_MAGIC', 'm'), grpc.status.INVALID_ARGUMENT],
  ])('%s -> %s', (err, status) => {
    expect(toStatus(err)).toEqual({ code: status, details: err.message, reason: (err as { code: string }).code });
  });

  it('names the leader on NOT_LEADER and says when none is known', () => {
    expect(toStatus(new NotLeaderError('t-0', 2, 'h:2'))).toEqual({
      code: grpc.status.FAILED_PRECONDITION,
      details: 'NOT_LEADER: t-0 is led by broker 2 at h:2',
      reason: 'NOT_LEADER',
      leaderId: 2,
      leaderAddress: 'h:2',
    });
    expect(toStatus(new NotLeaderError('t-0', 0, undefined))).toMatchObject({ code: grpc.status.UNAVAILABLE, reason: 'LEADER_NOT_AVAILABLE' });
    expect(toStatus(new ProposalDroppedError('leadership is moving to 2'))).toMatchObject({ code: grpc.status.UNAVAILABLE, reason: 'PROPOSAL_DROPPED' });
  });

  it('reports anything else as INTERNAL', () => {
    expect(toStatus(new TypeError('boom'))).toEqual({ code: grpc.status.INTERNAL, details: 'internal error: boom' });
    expect(toStatus('odd').code).toBe(grpc.status.INTERNAL);
  });
});
