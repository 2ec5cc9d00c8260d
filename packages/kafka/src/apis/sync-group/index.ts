import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type KafkaSyncGroupResponse } from './v0-v5';

export const SYNC_GROUP_KEY = 14;

/** Hands each member its assignment, which the leader's SyncGroup brought; others wait for it. */
export function serveSyncGroup(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (request, _header, client) => {
    let response: KafkaSyncGroupResponse;
    try {
      const synced = await surface.groups.sync(
        { mayForward: false, clientHost: client.host },
        {
          group: request.groupId,
          generation: request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId ?? '',
          protocolType: request.protocolType ?? '',
          protocolName: request.protocolName ?? '',
          assignments: request.assignments,
        },
      );
      response = { errorCode: ErrorCode.NONE, protocolType: synced.protocolType || null, protocolName: synced.protocolName || null, assignment: synced.assignment };
    } catch (err) {
      response = { errorCode: groupErrorCode(err), protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    return response;
  }, encodeResponse);
}
