import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import { splitHostPort } from '../../listener-address';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { KAFKA_LISTENER } from '../metadata';
import { decodeRequest, encodeResponse, type Coordinator } from './v0-v4';

export const FIND_COORDINATOR_KEY = 10;

const GROUP_KEY_TYPE = 0;

/**
 * The broker coordinating a group: the leader of the group's __consumer_offsets partition, at its
 * Kafka address (the topic is created on the first ask, as Kafka does). Gregor has no
 * transactions, so a transaction coordinator is refused rather than looked for forever.
 */
export function serveFindCoordinator(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (request) => {
    const coordinators = await Promise.all(request.keys.map((key) => coordinatorOf(surface, key, request.keyType)));
    return coordinators;
  }, encodeResponse);
}

async function coordinatorOf(surface: BrokerSurface, key: string, keyType: number): Promise<Coordinator> {
  const none = { key, nodeId: -1, host: '', port: -1 };
  if (keyType !== GROUP_KEY_TYPE) {
    return { ...none, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage: 'Gregor has no transactions: only group coordinators (key type 0) exist' };
  }
  try {
    const id = await surface.groups.coordinatorOf(key);
    const listener = surface.brokers().find((b) => b.id === id && b.alive)?.listeners[KAFKA_LISTENER];
    if (!listener) return { ...none, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: `group ${key}'s coordinator is not known or has no Kafka listener yet` };
    return { key, nodeId: id, ...splitHostPort(listener), errorCode: ErrorCode.NONE, errorMessage: null };
  } catch (err) {
    return { ...none, errorCode: groupErrorCode(err), errorMessage: err instanceof Error ? err.message : String(err) };
  }
}
