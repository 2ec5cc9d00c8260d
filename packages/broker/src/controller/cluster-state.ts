import type { Database, RootDatabase } from 'lmdb';
import type { BrokerRecord, ClusterTopic, CommandResult, MetadataCommand } from './metadata-commands';

/**
 * The cluster metadata every broker materialises from the metadata log into lmdb: brokers, topics
 * with their replica assignments and last known leaders, and the producer-id counter. The index
 * of the last applied entry is written in the same transaction as the entry's effects, so after a
 * restart applying resumes exactly after it: lmdb is the snapshot and the log is never replayed
 * from its beginning.
 */
export class ClusterState {
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly root: RootDatabase,
    private readonly meta: Database<number | string, string>,
    private readonly brokerDb: Database<BrokerRecord, number>,
    private readonly topicDb: Database<ClusterTopic, string>,
  ) {}

  static open(root: RootDatabase): ClusterState {
    return new ClusterState(
      root,
      root.openDB<number | string, string>({ name: 'cluster-meta' }),
      root.openDB<BrokerRecord, number>({ name: 'cluster-brokers' }),
      root.openDB<ClusterTopic, string>({ name: 'cluster-topics' }),
    );
  }

  get appliedIndex(): number {
    return (this.meta.get('appliedIndex') as number | undefined) ?? 0;
  }

  /** Chosen once, by the first controller leader; empty until then. */
  get clusterId(): string {
    return (this.meta.get('clusterId') as string | undefined) ?? '';
  }

  brokers(): BrokerRecord[] {
    return [...this.brokerDb.getRange()].map((e) => e.value);
  }

  broker(id: number): BrokerRecord | undefined {
    return this.brokerDb.get(id);
  }

  topics(): ClusterTopic[] {
    return [...this.topicDb.getRange()].map((e) => e.value);
  }

  topic(name: string): ClusterTopic | undefined {
    return this.topicDb.get(name);
  }

  /** Called after every applied entry that changed something. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one committed command at `index`; entries at or below the applied index are skipped. */
  apply(index: number, command: MetadataCommand | null): CommandResult {
    if (index <= this.appliedIndex) return { ok: true };
    const result = this.root.transactionSync(() => {
      const outcome = command ? this.applyCommand(command) : ({ ok: true } as CommandResult);
      this.meta.putSync('appliedIndex', index);
      return outcome;
    });
    if (command) for (const listener of this.listeners) listener();
    return result;
  }

  /** Records that entries up to `index` (no-ops, membership changes) changed nothing here. */
  skipTo(index: number): void {
    if (index > this.appliedIndex) this.meta.putSync('appliedIndex', index);
  }

  private applyCommand(command: MetadataCommand): CommandResult {
    switch (command.type) {
      case 'initCluster': {
        if (!this.clusterId) this.meta.putSync('clusterId', command.clusterId);
        return { ok: true };
      }
      case 'registerBroker': {
        const existing = this.brokerDb.get(command.id);
        this.brokerDb.putSync(command.id, {
          id: command.id,
          address: command.address,
          fenced: false,
          registeredAt: existing?.registeredAt ?? command.time,
        });
        return { ok: true };
      }
      case 'fenceBroker': {
        const existing = this.brokerDb.get(command.id);
        if (existing) this.brokerDb.putSync(command.id, { ...existing, fenced: command.fenced });
        return { ok: true };
      }
      case 'createTopic': {
        if (this.topicDb.get(command.topic.name)) {
          return { ok: false, code: 'TOPIC_EXISTS', message: `topic ${JSON.stringify(command.topic.name)} already exists` };
        }
        this.topicDb.putSync(command.topic.name, command.topic);
        return { ok: true };
      }
      case 'deleteTopic': {
        if (!this.topicDb.get(command.name)) return unknownTopic(command.name);
        this.topicDb.removeSync(command.name);
        return { ok: true };
      }
      case 'alterTopicConfigs': {
        const topic = this.topicDb.get(command.name);
        if (!topic) return unknownTopic(command.name);
        this.topicDb.putSync(command.name, { ...topic, configs: command.configs });
        return { ok: true };
      }
      case 'addPartitions': {
        const topic = this.topicDb.get(command.name);
        if (!topic || topic.topicId !== command.topicId) return unknownTopic(command.name);
        if (topic.partitions !== command.from) {
          return { ok: false, code: 'INVALID_REQUEST', message: `topic ${JSON.stringify(command.name)} has ${topic.partitions} partitions, not ${command.from}: its partitions changed meanwhile` };
        }
        const assignments = [...topic.assignments, ...command.assignments];
        this.topicDb.putSync(command.name, { ...topic, partitions: assignments.length, assignments });
        return { ok: true };
      }
      case 'partitionLeader': {
        const topic = this.topics().find((t) => t.topicId === command.topicId);
        const assignment = topic?.assignments[command.partition];
        if (!topic || !assignment || command.term < assignment.leaderTerm) return { ok: true };
        const assignments = topic.assignments.slice();
        assignments[command.partition] = { ...assignment, leader: command.leader, leaderTerm: command.term };
        this.topicDb.putSync(topic.name, { ...topic, assignments });
        return { ok: true };
      }
      case 'allocateProducerIds': {
        const first = (this.meta.get('nextProducerId') as number | undefined) ?? 1000;
        this.meta.putSync('nextProducerId', first + command.count);
        return { ok: true, value: first };
      }
    }
  }
}

function unknownTopic(name: string): CommandResult {
  return { ok: false, code: 'UNKNOWN_TOPIC', message: `unknown topic ${JSON.stringify(name)}` };
}
