import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type DescribedGroup } from './v0-v5';

export const DESCRIBE_GROUPS_KEY = 15;

/** Each group's state, chosen protocol and members as its coordinator has them; a group nobody uses is Dead. */
export function serveDescribeGroups(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (ids, _header, client) => {
    const call = { mayForward: false, clientHost: client.host };
    const groups = await Promise.all(ids.map(async (groupId): Promise<DescribedGroup> => {
      try {
        const d = await surface.groups.describe(call, groupId);
        return {
          errorCode: ErrorCode.NONE,
          groupId,
          state: d.state,
          protocolType: d.protocolType,
          protocolData: d.protocolName,
          members: d.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId || null,
            clientId: m.clientId,
            clientHost: m.clientHost,
            metadata: m.metadata,
            assignment: m.assignment,
          })),
        };
      } catch (err) {
        return { errorCode: groupErrorCode(err), groupId, state: '', protocolType: '', protocolData: '', members: [] };
      }
    }));
    return groups;
  }, encodeResponse);
}
