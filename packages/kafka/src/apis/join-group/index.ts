import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type KafkaJoinGroupResponse } from './v0-v9';

export const JOIN_GROUP_KEY = 11;

/**
 * Joins the member to the group on its coordinator (this broker, else NOT_COORDINATOR): the answer
 * waits until the group's rebalance completes, and only the elected leader gets the members'
 * subscriptions. A new member gets its id in the same answer (Gregor never asks a member to join
 * twice with MEMBER_ID_REQUIRED, which Kafka clients accept).
 */
export function serveJoinGroup(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (request, header, client) => {
    let response: KafkaJoinGroupResponse;
    try {
      const joined = await surface.groups.join(
        { mayForward: false, clientHost: client.host },
        {
          group: request.groupId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId ?? '',
          protocolType: request.protocolType,
          protocols: request.protocols,
          sessionTimeoutMs: request.sessionTimeoutMs,
          rebalanceTimeoutMs: request.rebalanceTimeoutMs,
          clientId: header.clientId ?? '',
          reason: request.reason ?? '',
        },
      );
      response = {
        errorCode: ErrorCode.NONE,
        generationId: joined.generation,
        protocolType: joined.protocolType,
        protocolName: joined.protocolName,
        leader: joined.leader,
        memberId: joined.memberId,
        members: joined.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId || null, metadata: m.metadata })),
      };
    } catch (err) {
      response = { errorCode: groupErrorCode(err), generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: request.memberId, members: [] };
    }
    return response;
  }, encodeResponse);
}
