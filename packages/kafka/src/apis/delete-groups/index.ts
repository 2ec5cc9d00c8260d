import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse } from './v0-v2';

export const DELETE_GROUPS_KEY = 42;

/** Deletes each group with its committed offsets; a group with members is NON_EMPTY_GROUP, one never seen GROUP_ID_NOT_FOUND. */
export function serveDeleteGroups(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (ids, _header, client) => {
    const call = { mayForward: false, clientHost: client.host };
    const results = await Promise.all(ids.map(async (groupId) => {
      try {
        await surface.groups.delete(call, groupId);
        return { groupId, errorCode: ErrorCode.NONE };
      } catch (err) {
        return { groupId, errorCode: groupErrorCode(err) };
      }
    }));
    return results;
  }, encodeResponse);
}
