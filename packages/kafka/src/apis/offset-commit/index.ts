import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse } from './v0-v8';

export const OFFSET_COMMIT_KEY = 8;

/**
 * Commits a member's offsets (checked against its generation), or offsets outside membership to a
 * group with no members. The commit is one record: it is taken whole or refused whole, so every
 * partition answers with the same error code.
 */
export function serveOffsetCommit(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (request, _header, client) => {
    const outsideMembership = request.memberId === '' && request.generationId < 0;
    let errorCode: number = ErrorCode.NONE;
    try {
      await surface.groups.commit(
        { mayForward: false, clientHost: client.host },
        {
          group: request.groupId,
          generation: outsideMembership ? 0 : request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId ?? '',
          offsets: request.topics.flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata ?? '' })),
          ),
        },
      );
    } catch (err) {
      errorCode = groupErrorCode(err);
    }
    const topics = request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
    return { topics };
  }, encodeResponse);
}
