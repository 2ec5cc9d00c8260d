import type { Database, RootDatabase } from 'lmdb';
import type { BrokerRecord, ClusterTopic, CommandResult, MetadataCommand, PartitionAssignment, PartitionMove } from './metadata-commands';
import { checkControllers, checkMoves, checkNothingMovesOnto, sameMembers, startedReassignment } from './reassignment-rules';

interface StateContents {
  meta: Array<[string, number | string]>;
  brokers: BrokerRecord[];
  topics: ClusterTopic[];
}

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

  /** The voters an operator asked the metadata log to move to, while that change runs. */
  get controllerChange(): number[] | undefined {
    const target = this.meta.get('controllerTarget') as string | undefined;
    return target ? (JSON.parse(target) as number[]) : undefined;
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

  /** Everything this state holds, as of its applied index: what a metadata snapshot carries. */
  snapshot(): Buffer {
    const contents: StateContents = {
      meta: [...this.meta.getRange()].map(({ key, value }) => [key, value]),
      brokers: this.brokers(),
      topics: this.topics(),
    };
    return Buffer.from(JSON.stringify(contents), 'utf8');
  }

  /** Replaces everything with a snapshot's contents (its applied index included), in one transaction. */
  restore(data: Uint8Array): void {
    const contents = JSON.parse(Buffer.from(data).toString('utf8')) as StateContents;
    this.root.transactionSync(() => {
      for (const key of [...this.meta.getKeys()]) this.meta.removeSync(key);
      for (const key of [...this.brokerDb.getKeys()]) this.brokerDb.removeSync(key);
      for (const key of [...this.topicDb.getKeys()]) this.topicDb.removeSync(key);
      for (const [key, value] of contents.meta) this.meta.putSync(key, value);
      for (const broker of contents.brokers) this.brokerDb.putSync(broker.id, broker);
      for (const topic of contents.topics) this.topicDb.putSync(topic.name, topic);
    });
    for (const listener of this.listeners) listener();
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

  /** A partition's replicas and recorded leader, by topic id. */
  assignment(topicId: string, partition: number): PartitionAssignment | undefined {
    return this.findPartition(topicId, partition)?.assignment;
  }

  private findPartition(topicId: string, partition: number): { topic: ClusterTopic; assignment: PartitionAssignment } | undefined {
    const topic = this.topics().find((t) => t.topicId === topicId);
    const assignment = topic?.assignments[partition];
    return topic && assignment ? { topic, assignment } : undefined;
  }

  private putAssignment(topic: ClusterTopic, partition: number, assignment: PartitionAssignment): void {
    const fresh = this.topicDb.get(topic.name) ?? topic;
    const assignments = fresh.assignments.slice();
    assignments[partition] = assignment;
    this.topicDb.putSync(topic.name, { ...fresh, assignments });
  }

  private startMoves(moves: readonly PartitionMove[], throttleBytesPerSec: number, time: number): void {
    for (const move of moves) {
      const found = this.findPartition(move.topicId, move.partition)!;
      this.putAssignment(found.topic, move.partition, {
        ...found.assignment,
        reassignment: startedReassignment(found.assignment, move.target, throttleBytesPerSec, time),
      });
    }
  }

  private applyCommand(command: MetadataCommand): CommandResult {
    switch (command.type) {
      case 'initCluster': {
        if (!this.clusterId) this.meta.putSync('clusterId', command.clusterId);
        return { ok: true };
      }
      case 'registerBroker': {
        const existing = this.brokerDb.get(command.id);
        const { listeners: _stale, ...kept } = existing ?? ({} as Partial<BrokerRecord>);
        this.brokerDb.putSync(command.id, {
          ...kept,
          id: command.id,
          address: command.address,
          fenced: false,
          registeredAt: existing?.registeredAt ?? command.time,
          ...(command.peerAddress ? { peerAddress: command.peerAddress } : {}),
          ...(command.rack ? { rack: command.rack } : {}),
          // A broker restarted without a front end stops advertising it.
          ...(command.listeners ? { listeners: command.listeners } : {}),
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
        const found = this.findPartition(command.topicId, command.partition);
        if (!found || command.term < found.assignment.leaderTerm) return { ok: true };
        this.putAssignment(found.topic, command.partition, { ...found.assignment, leader: command.leader, leaderTerm: command.term });
        return { ok: true };
      }
      case 'reassignPartitions': {
        const refusal = checkMoves(this.topics(), this.brokers(), command.moves);
        if (refusal) return refusal;
        this.startMoves(command.moves, command.throttleBytesPerSec, command.time);
        return { ok: true };
      }
      case 'cancelReassignment': {
        const found = this.findPartition(command.topicId, command.partition);
        const moving = found?.assignment.reassignment;
        if (!found || !moving) return { ok: false, code: 'NO_REASSIGNMENT_IN_PROGRESS', message: `partition ${command.partition} of topic id ${command.topicId} is not moving` };
        // Cancelled, it would leave the decommissioned broker a replica that nothing moves off again.
        const leaving = found.assignment.replicas.find((id) => !moving.target.includes(id) && this.brokerDb.get(id)?.decommissioned);
        if (leaving !== undefined) {
          return { ok: false, code: 'INVALID_REQUEST', message: `${found.topic.name}-${command.partition} is moving off decommissioned broker ${leaving}: that move cannot be cancelled` };
        }
        const back = { ...moving, target: found.assignment.replicas.slice(), cancelled: true };
        this.putAssignment(found.topic, command.partition, { ...found.assignment, reassignment: back });
        return { ok: true };
      }
      case 'completeReassignment': {
        const found = this.findPartition(command.topicId, command.partition);
        const moving = found?.assignment.reassignment;
        if (!found || !moving || !sameMembers(moving.target, command.replicas)) return { ok: true };
        const { reassignment: _done, ...rest } = found.assignment;
        this.putAssignment(found.topic, command.partition, { ...rest, replicas: moving.target });
        return { ok: true };
      }
      case 'decommissionBroker': {
        const broker = this.brokerDb.get(command.id);
        if (!broker) return { ok: false, code: 'INVALID_REPLICA_ASSIGNMENT', message: `broker ${command.id} does not exist` };
        if (broker.decommissioned) return { ok: false, code: 'INVALID_REQUEST', message: `broker ${command.id} is already decommissioned` };
        // The leaving broker is checked as if gone, so no move can land on it.
        const others = this.brokers().map((b) => (b.id === command.id ? { ...b, decommissioned: true } : b));
        const refusal = checkNothingMovesOnto(this.topics(), command.id) ?? (command.moves.length > 0 ? checkMoves(this.topics(), others, command.moves) : null);
        if (refusal) return refusal;
        this.brokerDb.putSync(command.id, { ...broker, decommissioned: true });
        this.startMoves(command.moves, 0, command.time);
        return { ok: true };
      }
      case 'cancelDecommission': {
        const broker = this.brokerDb.get(command.id);
        if (!broker) return { ok: false, code: 'INVALID_REPLICA_ASSIGNMENT', message: `broker ${command.id} does not exist` };
        if (!broker.decommissioned) return { ok: false, code: 'INVALID_REQUEST', message: `broker ${command.id} is not being decommissioned` };
        // Its moves still under way go back to the replicas they started from; finished ones stay done.
        for (const topic of this.topics()) {
          topic.assignments.forEach((assignment, partition) => {
            const moving = assignment.reassignment;
            if (!moving || moving.cancelled || !assignment.replicas.includes(command.id) || moving.target.includes(command.id)) return;
            this.putAssignment(topic, partition, { ...assignment, reassignment: { ...moving, target: assignment.replicas.slice(), cancelled: true } });
          });
        }
        const { decommissioned: _ended, ...staying } = broker;
        this.brokerDb.putSync(command.id, staying);
        return { ok: true };
      }
      case 'changeControllers': {
        // A change that waits on a broker that died meanwhile is replaced by the next one, or
        // called off by a target equal to the voters.
        if (this.controllerChange && sameMembers(command.from, command.target)) {
          this.meta.removeSync('controllerTarget');
          return { ok: true };
        }
        const refusal = checkControllers(this.brokers(), command.from, command.target);
        if (refusal) return refusal;
        this.meta.putSync('controllerTarget', JSON.stringify(command.target));
        return { ok: true };
      }
      case 'completeControllerChange': {
        const pending = this.controllerChange;
        if (pending && sameMembers(pending, command.target)) this.meta.removeSync('controllerTarget');
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
