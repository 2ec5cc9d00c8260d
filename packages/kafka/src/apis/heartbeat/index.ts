import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse } from './v0-v4';

export const HEARTBEAT_KEY = 12;

/**
 * Keeps the member's session alive and answers at once (Kafka clients time their heartbeats
 * themselves): REBALANCE_IN_PROGRESS tells the member to join again.
 */
export function serveHeartbeat(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (request, _header, client) => {
    let errorCode: number = ErrorCode.NONE;
    try {
      await surface.groups.heartbeat(
        { mayForward: false, clientHost: client.host },
        { group: request.groupId, generation: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId ?? '', waitMs: 0 },
      );
    } catch (err) {
      errorCode = groupErrorCode(err);
    }
    return errorCode;
  }, encodeResponse);
}
