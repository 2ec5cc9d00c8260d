import type { CommittedOffset, GroupDescription } from '@gregor/client';

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
