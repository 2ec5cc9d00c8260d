import { CONSUMER_PROTOCOL_TYPE, ConsumerProtocolError, decodeAssignment } from '@gregor/proto';
import { decodeBatch, encodeBatch, isControlBatch, iterateBatches } from '@gregor/records';
import { BrokerError } from '../errors';
import type { Logger } from '../logger';
import { COMMIT_KNOWN_TIMEOUT_MS, type PartitionReplica } from '../partition-replica';
import { ConsumerGroup, GroupLimits, GroupState, MemberIdentity } from './consumer-group';
import {
  GroupsRecord,
  OffsetCommit,
  StoredCommit,
  StoredGroup,
  UnreadableGroupsRecord,
  decodeGroupsRecord,
  encodeCommit,
  encodeGroup,
  groupKey,
  offsetKey,
} from './group-records';

const READ_BYTES = 1024 * 1024;

export interface GroupsPartitionOptions {
  logger: Logger;
  limits: GroupLimits;
  now(): number;
  /** The partition count of a topic, undefined when it does not exist. */
  partitionCountOf(topic: string): number | undefined;
  /** The id of a topic now, undefined when it does not exist. */
  topicIdOf(topic: string): string | undefined;
}

export interface GroupSummary {
  group: string;
  state: GroupState;
  protocolType: string;
}

/**
 * The groups one partition of __consumer_offsets holds, served by its leader for one term. Every
 * offset commit and every membership change is a record of the partition (see group-records),
 * and the latest record of a key wins. The committed log is folded in offset order, each batch
 * once whichever term wrote it; a group comes alive from the fold only after everything committed
 * before this term is in it, so a new coordinator continues where the last one stopped.
 */
export class GroupsPartition {
  private readonly offsets = new Map<string, Map<string, StoredCommit>>();
  private readonly stored = new Map<string, StoredGroup>();
  private readonly live = new Map<string, ConsumerGroup>();
  /** Every committed batch below this offset is in the maps. */
  private applied: number;
  private folding: Promise<void> | null = null;

  constructor(
    readonly replica: PartitionReplica,
    /** The Raft term this leader serves; a new term gets a new GroupsPartition. */
    readonly term: number,
    private readonly options: GroupsPartitionOptions,
  ) {
    this.applied = replica.logStartOffset;
  }

  /** The group, alive on this coordinator; with `create`, a new Empty one when it has no record. */
  async group(id: string, create: true): Promise<ConsumerGroup>;
  async group(id: string, create: false): Promise<ConsumerGroup | null>;
  async group(id: string, create: boolean): Promise<ConsumerGroup | null> {
    const existing = this.live.get(id);
    if (existing) return existing;
    await this.catchUp();
    return this.loaded(id, create);
  }

  /** The group once the fold has caught up: alive already, brought alive from its record, or (with `create`) new. */
  private loaded(id: string, create: boolean): ConsumerGroup | null {
    const existing = this.live.get(id);
    if (existing) return existing;
    const stored = this.stored.get(id) ?? null;
    if (!stored && !create) return null;
    const group = new ConsumerGroup(id, this.hostFor(id), this.options.limits, stored);
    this.live.set(id, group);
    return group;
  }

  /** Resolves once the commit is committed; reads see it from then on. */
  async commit(group: string, identity: MemberIdentity & { generation: number }, commits: readonly OffsetCommit[]): Promise<void> {
    (await this.group(group, false))?.checkCommit(identity);
    const records = commits.map((c) => {
      const topicId = this.options.topicIdOf(c.topic);
      if (topicId === undefined) throw new BrokerError('UNKNOWN_TOPIC', `unknown topic ${JSON.stringify(c.topic)}`);
      return { key: offsetKey(group, c.topic, c.partition), value: encodeCommit({ ...c, topicId }), timestamp: c.commitTime };
    });
    await this.replica.append(encodeBatch(records), 'all');
  }

  async fetch(group: string, topic: string | undefined): Promise<OffsetCommit[]> {
    await this.catchUp();
    const result: OffsetCommit[] = [];
    for (const c of this.offsets.get(group)?.values() ?? []) {
      if ((topic && c.topic !== topic) || this.options.topicIdOf(c.topic) !== c.topicId) continue;
      result.push({ topic: c.topic, partition: c.partition, offset: c.offset, metadata: c.metadata, commitTime: c.commitTime });
    }
    return result.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** Groups with members or committed offsets. */
  async list(): Promise<GroupSummary[]> {
    await this.catchUp();
    const ids = new Set([...this.stored.keys(), ...this.live.keys(), ...this.offsets.keys()]);
    return [...ids].map((id) => this.summaryOf(id, this.loaded(id, false))).filter((s): s is GroupSummary => s !== null);
  }

  /** The group and its summary; null when it has neither a membership nor offsets (it does not exist). */
  async describe(id: string): Promise<{ summary: GroupSummary; group: ConsumerGroup | null } | null> {
    const group = await this.group(id, false);
    const summary = this.summaryOf(id, group);
    return summary && { summary, group };
  }

  private summaryOf(id: string, group: ConsumerGroup | null): GroupSummary | null {
    if (group && group.state !== 'Empty') return { group: id, state: group.state, protocolType: group.protocolType };
    if (!this.offsets.has(id) && !group) return null;
    return { group: id, state: 'Empty', protocolType: group?.protocolType ?? '' };
  }

  /** Deletes a group without members: its membership and every committed offset. */
  async delete(id: string): Promise<void> {
    const group = await this.group(id, false);
    if (!group && !this.offsets.has(id)) throw new BrokerError('GROUP_ID_NOT_FOUND', `group ${JSON.stringify(id)} does not exist`);
    if (group && group.size > 0) throw new BrokerError('NON_EMPTY_GROUP', `group ${JSON.stringify(id)} has ${group.size} live member(s); stop them first`);
    const tombstones = [{ key: groupKey(id), value: null }];
    for (const c of this.offsets.get(id)?.values() ?? []) tombstones.push({ key: offsetKey(id, c.topic, c.partition), value: null });
    group?.close(new BrokerError('COORDINATOR_NOT_AVAILABLE', `group ${id} was deleted`));
    this.live.delete(id);
    await this.replica.append(encodeBatch(tombstones), 'all');
  }

  tick(): void {
    for (const group of this.live.values()) group.tick();
  }

  /** This broker no longer leads the partition: every waiting member call fails over to the new coordinator. */
  close(): void {
    const moved = new BrokerError('NOT_COORDINATOR', `${this.replica.name} moved to another broker; retry`);
    for (const group of this.live.values()) group.close(moved);
    this.live.clear();
  }

  private hostFor(id: string): ConstructorParameters<typeof ConsumerGroup>[1] {
    const { logger, now } = this.options;
    return {
      logger,
      now,
      persist: async (stored) => {
        await this.replica.append(encodeBatch([{ key: groupKey(id), value: encodeGroup(stored) }]), 'all');
      },
      checkAssignment: (protocolType, assignment) => this.checkAssignment(protocolType, assignment),
      checkStorable: (stored) => {
        const size = encodeGroup(stored).length + id.length + 128;
        const limit = this.replica.log.config().maxMessageBytes;
        if (size > limit) throw new BrokerError('REQUEST_TOO_LARGE', `group ${id}'s membership takes ${size} bytes, over the ${limit}-byte record limit of ${this.replica.name}`);
      },
    };
  }

  private checkAssignment(protocolType: string, bytes: Buffer): void {
    if (protocolType !== CONSUMER_PROTOCOL_TYPE) return;
    let assignment;
    try {
      assignment = decodeAssignment(bytes);
    } catch (err) {
      if (err instanceof ConsumerProtocolError) throw new BrokerError('INVALID_REQUEST', `undecodable consumer assignment: ${err.message}`);
      throw err;
    }
    for (const { topic, partitions } of assignment.partitions) {
      const count = this.options.partitionCountOf(topic);
      if (count === undefined) throw new BrokerError('UNKNOWN_TOPIC', `the assignment names unknown topic ${JSON.stringify(topic)}`);
      const bad = partitions.find((p) => p < 0 || p >= count);
      if (bad !== undefined) throw new BrokerError('UNKNOWN_PARTITION', `the assignment names partition ${bad} of ${topic}, which has ${count}`);
    }
  }

  private apply(record: GroupsRecord): void {
    if (record.kind === 'group') {
      if (record.stored) this.stored.set(record.group, record.stored);
      else this.stored.delete(record.group);
      return;
    }
    let offsets = this.offsets.get(record.group);
    const key = `${record.topic}\u0000${record.partition}`;
    if (record.commit) {
      if (!offsets) this.offsets.set(record.group, (offsets = new Map()));
      offsets.set(key, record.commit);
    } else if (offsets) {
      offsets.delete(key);
      if (offsets.size === 0) this.offsets.delete(record.group);
    }
  }

  /** One fold runs at a time; a caller whose target it stopped short of starts the next. */
  private async catchUp(): Promise<void> {
    const target = await this.replica.completeHighWatermark(COMMIT_KNOWN_TIMEOUT_MS);
    while (this.applied < target) {
      this.folding ??= this.foldCommitted().finally(() => (this.folding = null));
      await this.folding;
    }
  }

  private async foldCommitted(): Promise<void> {
    while (this.applied < this.replica.highWatermark) {
      const { bytes, nextOffset } = await this.replica.read(this.applied, READ_BYTES);
      if (bytes.length === 0) throw new BrokerError('INTERNAL', `${this.replica.name} returned nothing at committed offset ${this.applied}`);
      for (const { position, header } of iterateBatches(bytes)) {
        if (isControlBatch(header.attributes)) continue;
        for (const record of decodeBatch(bytes, position).records) {
          try {
            this.apply(decodeGroupsRecord(record));
          } catch (err) {
            // Only coordinators write here (clients are refused), but one bad record must not make every later commit unreadable.
            if (!(err instanceof UnreadableGroupsRecord)) throw err;
            this.options.logger.warn('groups.unreadable_record', { partition: this.replica.name, offset: record.offset, reason: err.message });
          }
        }
      }
      this.applied = nextOffset;
    }
  }
}
