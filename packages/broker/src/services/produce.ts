import { encodeBatch, Record as LogRecord } from '@gregor/records';
import type { ProduceRequest, ProduceResponse, RecordMessage } from '@gregor/proto';
import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';
import { refuseInternalTopic } from '../topic-manager';

function toLogRecord(message: RecordMessage, now: number): LogRecord {
  return {
    key: message.key ?? null,
    value: message.value ?? null,
    headers: (message.headers ?? []).map((h) => ({ key: h.key, value: h.value ?? null })),
    timestamp: message.timestamp || now,
  };
}

/**
 * The batch a produce request carries: its own bytes (not decoded; the replica
 * checks size, header and CRC), or its decoded records encoded into one batch.
 */
export function batchOf(request: ProduceRequest): Buffer {
  const hasBatch = request.batch !== undefined && request.batch.length > 0;
  const hasRecords = request.records !== undefined && request.records.length > 0;
  if (hasBatch === hasRecords) {
    throw new BrokerError('INVALID_REQUEST', 'a produce request carries exactly one of `batch` or `records`');
  }
  return hasBatch ? request.batch! : encodeBatch(request.records!.map((r) => toLogRecord(r, Date.now())));
}

export async function produce(ctx: BrokerContext, request: ProduceRequest): Promise<ProduceResponse> {
  if (ctx.shutdownSignal.aborted) throw new BrokerError('SHUTTING_DOWN', 'broker is shutting down');
  // Internal topics hold the broker's own records (committed offsets): a client's would corrupt their state.
  refuseInternalTopic(request.topic, 'produce to');
  const replica = ctx.topics.partition(request.topic, request.partition);
  const batch = batchOf(request);
  const result = await replica.append(batch, request.acks === 'ACKS_LEADER' ? 'leader' : 'all');
  replica.traffic.appended(batch.length, result.lastOffset - result.baseOffset + 1);
  return {
    correlationId: request.correlationId ?? 0,
    topic: request.topic,
    partition: request.partition,
    baseOffset: result.baseOffset,
    lastOffset: result.lastOffset,
    logAppendTime: result.logAppendTime,
    error: null,
  };
}
