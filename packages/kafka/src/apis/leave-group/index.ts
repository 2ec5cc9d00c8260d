import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse } from './v0-v5';

export const LEAVE_GROUP_KEY = 13;

/** Takes the members out of the group at once (their partitions move in the rebalance that follows), not at session expiry. */
export function serveLeaveGroup(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (request, _header, client) => {
    let errorCode: number = ErrorCode.NONE;
    try {
      await surface.groups.leave(
        { mayForward: false, clientHost: client.host },
        { group: request.groupId, members: request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? '', reason: m.reason ?? '' })) },
      );
    } catch (err) {
      errorCode = groupErrorCode(err);
    }
    const members = request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode }));
    return { errorCode, members };
  }, encodeResponse);
}
