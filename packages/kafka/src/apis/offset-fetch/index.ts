import type { BrokerSurface, GroupCall } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { groupErrorCode } from '../group-error-code';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type FetchedTopic, type OffsetFetchGroup, type OffsetFetchGroupAnswer } from './v0-v8';

export const OFFSET_FETCH_KEY = 9;

/**
 * A group's committed offsets: of the partitions asked (-1 where nothing is committed), or of
 * every partition it committed. Before v2 a group-level failure is told on every partition.
 */
export function serveOffsetFetch(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, async (groups, header, client) => {
    const call: GroupCall = { mayForward: false, clientHost: client.host };
    const answers = await Promise.all(groups.map((group) => fetchGroup(surface, call, group)));
    if (header.apiVersion < 2) {
      for (const answer of answers) {
        for (const topic of answer.topics) for (const p of topic.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = answer.errorCode;
      }
    }
    return answers;
  }, encodeResponse);
}

async function fetchGroup(surface: BrokerSurface, call: GroupCall, group: OffsetFetchGroup): Promise<OffsetFetchGroupAnswer> {
  try {
    const committed = await surface.groups.fetch(call, { group: group.groupId });
    const byTopic = new Map<string, Map<number, { offset: number; metadata: string }>>();
    for (const c of committed) {
      const partitions = byTopic.get(c.topic) ?? new Map<number, { offset: number; metadata: string }>();
      partitions.set(c.partition, { offset: c.offset, metadata: c.metadata ?? '' });
      byTopic.set(c.topic, partitions);
    }
    const asked = group.topics ?? [...byTopic].map(([name, partitions]) => ({ name, partitionIndexes: [...partitions.keys()].sort((a, b) => a - b) }));
    const topics = asked.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const found = byTopic.get(t.name)?.get(p);
        return { partitionIndex: p, committedOffset: found?.offset ?? -1, metadata: found?.metadata ?? '', errorCode: ErrorCode.NONE };
      }),
    }));
    return { groupId: group.groupId, topics, errorCode: ErrorCode.NONE };
  } catch (err) {
    const topics: FetchedTopic[] = (group.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, metadata: '', errorCode: ErrorCode.NONE })),
    }));
    return { groupId: group.groupId, topics, errorCode: groupErrorCode(err) };
  }
}
