import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse } from './v0-v4';

export const INIT_PRODUCER_ID_KEY = 22;

/**
 * An idempotent producer's id, from the same controller-allocated range as the SDK's: the
 * partitions then check its batches' epoch and sequences as they check any producer's. A
 * producer that asks again (after an epoch bump) gets a fresh id at epoch 0. Gregor has no
 * transactions: a transactional id is refused.
 */
export function serveInitProducerId(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async ({ transactionalId }) => {
    if (transactionalId !== null) return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    try {
      return { errorCode: ErrorCode.NONE, producerId: await surface.allocateProducerId(), producerEpoch: 0 };
    } catch {
      // The id is a metadata-log write, which fails only while that log elects or is out of
      // reach. Kafka answers a producer-id block not yet at hand so, and clients retry it (kafkajs
      // retries InitProducerId on no other code); the surface logs a failure that is not transient.
      return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, producerId: -1, producerEpoch: -1 };
    }
  }, encodeResponse);
}
