import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import { NO_RESPONSE, type ApiHandler } from '../../server/handler';
import { VersionedReader, VersionedWriter } from '../../versioned';
import { splitBatches } from './split-batches';
import type { ProducePartitionResponse, ProduceRequest } from './types';
import { decodeRequest, encodeResponse } from './v0-v9';

export const PRODUCE_KEY = 0;

/** Below this version a produce request carries message format 0 or 1, which Gregor does not store. */
const FIRST_RECORD_BATCH_VERSION = 3;

/**
 * Produce: each partition's record batches go to its leader as the client built them (the
 * broker checks size, magic and CRC, then stamps offsets and its leader epoch), partitions in
 * parallel. acks=-1 waits for the Raft majority, acks=1 for the leader's own log, acks=0 for
 * nothing, and gets no answer at all, as in Kafka.
 */
export function serveProduce(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return async (header, body, out) => {
    const version = header.apiVersion;
    const request = decodeRequest(new VersionedReader(body, version, version >= flexibleFrom));
    const acks = request.acks === -1 ? 'all' : 'leader';
    const refusal = refusalOf(request, version);
    const topics = await Promise.all(request.topics.map(async (topic) => ({
      name: topic.name,
      partitions: await Promise.all(topic.partitions.map(async (p): Promise<ProducePartitionResponse> => {
        const failed = (errorCode: number, errorMessage: string): ProducePartitionResponse => ({ index: p.index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage });
        if (refusal) return failed(refusal.code, refusal.message);
        try {
          const batches = splitBatches(p.records);
          let first: Awaited<ReturnType<BrokerSurface['produce']>> | null = null;
          for (const batch of batches) {
            const appended = await surface.produce(topic.name, p.index, batch, acks);
            first ??= appended;
          }
          return { index: p.index, errorCode: ErrorCode.NONE, baseOffset: first!.baseOffset, logAppendTimeMs: first!.logAppendTime, logStartOffset: first!.logStartOffset, errorMessage: null };
        } catch (err) {
          return failed(kafkaErrorCode(err), err instanceof Error ? err.message : String(err));
        }
      })),
    })));
    if (request.acks === 0) return NO_RESPONSE;
    encodeResponse(new VersionedWriter(out, version, version >= flexibleFrom), { topics });
  };
}

/** Why no partition of the request is written, if none is. */
function refusalOf(request: ProduceRequest, version: number): { code: number; message: string } | null {
  if (request.acks !== -1 && request.acks !== 0 && request.acks !== 1) return { code: ErrorCode.INVALID_REQUIRED_ACKS, message: `acks must be -1, 0 or 1, not ${request.acks}` };
  if (version < FIRST_RECORD_BATCH_VERSION) {
    // Listed in ApiVersions only because librdkafka before 2.10 compresses with gzip or snappy only when v2 is (its issue 4956), as Kafka 4 lists it.
    return { code: ErrorCode.UNSUPPORTED_VERSION, message: `produce v${version} carries message format 0 or 1; use v3 or later (RecordBatch v2)` };
  }
  if (request.transactionalId !== null) return { code: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, message: 'transactions are not supported yet' };
  return null;
}
