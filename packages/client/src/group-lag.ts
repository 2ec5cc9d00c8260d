import type { Admin, CommittedOffset, GroupDescription } from './admin';
import { GregorError } from './errors';

/** One row of `group describe`: null where Kafka's tool prints '-'. */
export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number | null;
  end: number | null;
  lag: number | null;
  memberId: string | null;
  clientHost: string | null;
  clientId: string | null;
}

/** How `ends` is keyed; topic names cannot hold a '/'. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * Every partition the group has committed or a member owns, as Kafka's
 * kafka-consumer-groups.sh --describe lists them: an owned partition without
 * a commit has no current offset and so no lag; a committed one nobody owns
 * has no consumer. `ends` holds each known partition's log end offset.
 */
export function partitionLags(description: GroupDescription, committed: readonly CommittedOffset[], ends: ReadonlyMap<string, number>): PartitionLag[] {
  const rows = new Map<string, PartitionLag>();
  const row = (topic: string, partition: number): PartitionLag => {
    const key = partitionKey(topic, partition);
    const found = rows.get(key);
    if (found) return found;
    const fresh: PartitionLag = { topic, partition, committed: null, end: ends.get(key) ?? null, lag: null, memberId: null, clientHost: null, clientId: null };
    rows.set(key, fresh);
    return fresh;
  };
  for (const c of committed) {
    const r = row(c.topic, c.partition);
    r.committed = c.offset;
    r.lag = r.end === null ? null : Math.max(0, r.end - c.offset);
  }
  for (const member of description.members) {
    for (const tp of member.assigned) {
      for (const partition of tp.partitions) Object.assign(row(tp.topic, partition), { memberId: member.memberId, clientHost: member.clientHost, clientId: member.clientId });
    }
  }
  return [...rows.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/** A group's description with a row per partition it has committed or owns. */
export interface GroupLag {
  description: GroupDescription;
  partitions: PartitionLag[];
}

/** Log end offsets of every partition of `topics`; a topic deleted since the group committed to it has none. */
async function endOffsets(admin: Admin, topics: Iterable<string>): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const topic of topics) {
    try {
      for (const p of await admin.listOffsets(topic, 'latest')) ends.set(partitionKey(topic, p.partition), p.highWatermark);
    } catch (err) {
      if (!(err instanceof GregorError) || err.code !== 'NOT_FOUND') throw err;
    }
  }
  return ends;
}

/** What `gregor group describe` shows of a group: NOT_FOUND for one with neither members nor commits. */
export async function describeGroupLag(admin: Admin, group: string): Promise<GroupLag> {
  const [[description], committed] = await Promise.all([admin.describeGroups([group]), admin.fetchOffsets(group)]);
  // The broker answers Dead for a group it has never seen; an empty description would hide a typo.
  if (description.state === 'Dead' && committed.length === 0) {
    throw GregorError.notFound(`unknown group ${JSON.stringify(group)}: it has no members and has committed no offsets`);
  }
  const topics = new Set([...committed.map((c) => c.topic), ...description.members.flatMap((m) => m.assigned.map((tp) => tp.topic))]);
  return { description, partitions: partitionLags(description, committed, await endOffsets(admin, topics)) };
}
