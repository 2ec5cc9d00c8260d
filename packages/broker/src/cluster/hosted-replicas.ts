import type { Role } from '@gregor/raft';
import type { PartitionLog } from '@gregor/storage';
import type { MetadataCommand, Reassignment } from '../controller/metadata-commands';
import type { RaftGroups } from '../replication/raft-groups';
import type { RaftTransport } from '../replication/raft-transport';
import type { ReplicaFactory } from '../replication/replica-factory';
import { ReplicaStateStore } from '../replication/replica-state-store';
import type { ReplicatedPartition } from '../replication/replicated-partition';

export interface ReplicaPlacement {
  topic: string;
  topicId: string;
  partition: number;
  /** The partition's replica list in the metadata; the first is its preferred leader. */
  replicas: readonly number[];
  /** The move in progress, if any. */
  reassignment?: Reassignment;
}

export interface HostedReplicasOptions {
  brokerId: number;
  groups: RaftGroups;
  transport: RaftTransport;
  random: () => number;
  electionTick: number;
  heartbeatTick: number;
  createReplica: ReplicaFactory;
  /** Where clients reach a broker, for NOT_LEADER errors. */
  addressOf(brokerId: number): string | undefined;
  /** Proposes a metadata command without waiting for its outcome. */
  propose(command: MetadataCommand): void;
}

/**
 * The partition replicas this broker hosts, each with where it sits in its topic, in the Raft
 * groups beside the metadata log's replica. A replica that becomes leader says so in the metadata.
 */
export class HostedReplicas {
  private readonly placements = new Map<string, ReplicaPlacement>();

  constructor(private readonly options: HostedReplicasOptions) {}

  /**
   * Starts this broker's replica of one partition. A replica that is its partition's preferred
   * leader campaigns at once, so new topics and restarted clusters get leaders without waiting
   * out an election timeout.
   */
  open(placement: ReplicaPlacement, log: PartitionLog, dir: string, onHighWatermark: (hw: number) => void): ReplicatedPartition {
    const { brokerId } = this.options;
    const group = `${placement.topicId}/${placement.partition}`;
    // A replica opened for a move starts as a learner: it must not campaign with an empty log,
    // and the leader adds it to the group as one.
    const joining = !placement.replicas.includes(brokerId);
    const state = ReplicaStateStore.open(dir, {
      lastIndex: log.logStartOffset,
      term: 0,
      config: { voters: [...placement.replicas].sort((a, b) => a - b), learners: joining ? [brokerId] : [] },
    });
    const replica = this.options.createReplica({
      group,
      name: `${placement.topic}-${placement.partition}`,
      addressOf: (id) => this.options.addressOf(id),
      brokerId,
      log,
      state,
      transport: this.options.transport,
      random: this.options.random,
      electionTick: this.options.electionTick,
      heartbeatTick: this.options.heartbeatTick,
      onHighWatermark,
      onLeaderChange: (leader, role) => this.reportLeader(placement, replica, leader, role),
    });
    this.placements.set(group, placement);
    this.options.groups.add(replica);
    if (placement.replicas[0] === brokerId) replica.campaign();
    return replica;
  }

  /** The partition's metadata changed (a move began or ended): later decisions follow the new placement. */
  update(group: string, placement: ReplicaPlacement): void {
    if (this.placements.has(group)) this.placements.set(group, placement);
  }

  close(replica: ReplicatedPartition): void {
    this.options.groups.remove(replica.group);
    this.placements.delete(replica.group);
  }

  /** Every hosted partition replica with its placement. */
  *withPlacements(): Generator<[ReplicatedPartition, ReplicaPlacement]> {
    for (const replica of this.options.groups.all()) {
      const placement = this.placements.get(replica.group);
      if (placement) yield [replica, placement];
    }
  }

  /** The Raft view of every partition replica hosted here. */
  states(): object[] {
    const states: object[] = [];
    for (const [replica, placement] of this.withPlacements()) {
      const status = replica.node.status();
      states.push({
        topic: placement.topic,
        partition: placement.partition,
        brokerId: this.options.brokerId,
        role: status.role,
        leader: status.leader,
        term: status.term,
        logStartOffset: replica.logStartOffset,
        logEndOffset: replica.logEndOffset,
        highWatermark: replica.highWatermark,
        sizeBytes: replica.sizeInBytes,
        voters: status.config.voters,
        learners: status.config.learners,
      });
    }
    return states;
  }

  /**
   * Reports again each leadership of this broker that the metadata does not show: a report made
   * while the metadata log had no leader (its leader died with the partition's) is lost, and
   * Kafka clients, which find leaders in the metadata alone, would keep asking the dead broker.
   */
  reportUnrecordedLeaders(recorded: (topicId: string, partition: number) => { leader: number; leaderTerm: number } | undefined): void {
    const { brokerId } = this.options;
    for (const [replica, placement] of this.withPlacements()) {
      const status = replica.node.status();
      if (status.role !== 'leader') continue;
      const known = recorded(placement.topicId, placement.partition);
      // Recorded, or overtaken by a later leader's record (this one will learn it is stale).
      if (known && ((known.leader === brokerId && known.leaderTerm === status.term) || known.leaderTerm > status.term)) continue;
      this.options.propose({ type: 'partitionLeader', topicId: placement.topicId, partition: placement.partition, leader: brokerId, term: status.term });
    }
  }

  private reportLeader(placement: ReplicaPlacement, replica: ReplicatedPartition, leader: number, role: Role): void {
    if (role !== 'leader' || leader !== this.options.brokerId) return;
    const term = replica.node.status().term;
    this.options.propose({ type: 'partitionLeader', topicId: placement.topicId, partition: placement.partition, leader, term });
  }
}
