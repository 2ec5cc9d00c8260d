import { BrokerError, type BrokerSurface } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse } from './v0-v3';

export const CREATE_PARTITIONS_KEY = 37;

/** Grows each topic to its new partition count (never fewer), placed as `gregor topic alter --partitions` places them. */
export function serveCreatePartitions(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, ({ topics, validateOnly }) => Promise.all(topics.map(async (t) => {
    try {
      if (t.assignments !== null) throw new BrokerError('INVALID_REPLICA_ASSIGNMENT', 'Gregor places the replicas of new partitions itself');
      await surface.createPartitions(t.name, t.count, validateOnly);
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (err) {
      return { name: t.name, errorCode: kafkaErrorCode(err), errorMessage: err instanceof Error ? err.message : String(err) };
    }
  })), encodeResponse);
}
