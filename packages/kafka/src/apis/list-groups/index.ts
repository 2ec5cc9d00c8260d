import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type ListedKafkaGroup } from './v0-v4';

export const LIST_GROUPS_KEY = 16;

/** The groups this broker coordinates, as each Kafka broker lists its own (clients ask them all); v4 may filter by state, ignoring case. */
export function serveListGroups(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async ({ statesFilter }, _header, client) => {
    const wanted = new Set(statesFilter.map((s) => s.toLowerCase()));
    let errorCode: number = ErrorCode.NONE;
    let groups: ListedKafkaGroup[] = [];
    try {
      groups = (await surface.groups.list({ mayForward: false, clientHost: client.host }))
        .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()))
        .map((g) => ({ groupId: g.group, protocolType: g.protocolType, state: g.state }));
    } catch (err) {
      errorCode = groupErrorCode(err);
    }
    return { errorCode, groups };
  }, encodeResponse);
}
