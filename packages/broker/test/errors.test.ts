import * as grpc from '@grpc/grpc-js';
import { RecordsError } from '@gregor/records';
import { StorageError } from '@gregor/storage';
import { BrokerError, toStatus } from '@gregor/broker';

describe('error to gRPC status mapping', () => {
  it.each([
    [new BrokerError('UNKNOWN_TOPIC', 'm'), grpc.status.NOT_FOUND],
    [new BrokerError('TOPIC_EXISTS', 'm'), grpc.status.ALREADY_EXISTS],
    [new BrokerError('OFFSET_OUT_OF_RANGE', 'm'), grpc.status.OUT_OF_RANGE],
    [new BrokerError('REQUEST_TOO_LARGE', 'm'), grpc.status.RESOURCE_EXHAUSTED],
    [new BrokerError('SHUTTING_DOWN', 'm'), grpc.status.UNAVAILABLE],
    [new StorageError('OFFSET_OUT_OF_RANGE', 'm'), grpc.status.OUT_OF_RANGE],
    [new StorageError('RECORD_TOO_LARGE', 'm'), grpc.status.RESOURCE_EXHAUSTED],
    [new StorageError('LOG_CLOSED', 'm'), grpc.status.UNAVAILABLE],
    [new StorageError('CORRUPT_LOG', 'm'), grpc.status.DATA_LOSS],
    [new RecordsError('CORRUPT_BATCH', 'm'), grpc.status.INVALID_ARGUMENT],
    [new RecordsError('BATCH_TOO_LARGE', 'm'), grpc.status.RESOURCE_EXHAUSTED],
    [new RecordsError('INVALID_MAGIC', 'm'), grpc.status.INVALID_ARGUMENT],
  ])('%s -> %s', (err, status) => {
    expect(toStatus(err)).toEqual({ code: status, details: err.message });
  });

  it('reports anything else as INTERNAL', () => {
    expect(toStatus(new TypeError('boom'))).toEqual({ code: grpc.status.INTERNAL, details: 'internal error: boom' });
    expect(toStatus('odd').code).toBe(grpc.status.INTERNAL);
  });
});
