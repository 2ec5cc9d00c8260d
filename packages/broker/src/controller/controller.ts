import type { Entry, Role } from '@gregor/raft';
import { decodeBatch, encodeBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { BrokerError } from '../errors';
import type { Logger } from '../logger';
import { awaitKnownLeader } from '../replication/await-leader';
import { indexOfOffset, offsetOfIndex } from '../replication/raft-index';
import { ReplicaStateStore } from '../replication/replica-state-store';
import { ReplicatedPartition } from '../replication/replicated-partition';
import type { RaftTransport } from '../replication/raft-transport';
import { ClusterState } from './cluster-state';
import { CommandResult, MetadataCommand, parseCommand } from './metadata-commands';
import { MetadataSnapshots } from './metadata-snapshots';

export const METADATA_GROUP = '__cluster_metadata/0';
const MAX_COMMAND_BYTES = 1024 * 1024;
const RECENT_RESULTS = 4096;
/** A command proposed during a metadata-log election waits this long for its leader before failing. */
const LEADER_WAIT_MS = 5_000;

export interface ControllerOptions {
  brokerId: number;
  /** Brokers that vote on the metadata log; every other broker follows it as a learner. */
  voters: readonly number[];
  learners: readonly number[];
  /** Where the metadata log and its Raft state live. */
  dir: string;
  state: ClusterState;
  transport: RaftTransport;
  random: () => number;
  electionTick: number;
  heartbeatTick: number;
  /** Runs a command on another broker's controller (the leader). */
  forward(leader: number, command: MetadataCommand): Promise<CommandResult>;
  logger: Logger;
  onLeaderChange?(leader: number, role: Role): void;
  /** Applied entries between two snapshots of the state, after which the log before the newest is deleted. */
  snapshotEveryEntries?: number;
  /** Size of the metadata log's segments, the unit it is deleted in. */
  segmentBytes?: number;
}

const DEFAULT_SNAPSHOT_EVERY_ENTRIES = 10_000;
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * This broker's replica of the cluster metadata log. Every broker holds one (controllers vote,
 * the rest are learners) and applies committed commands to its ClusterState; commands are
 * proposed on the leader, and a broker that is not the leader forwards them there.
 */
export class Controller {
  readonly replica: ReplicatedPartition;
  private readonly results = new Map<number, CommandResult>();
  private readonly raftState: ReplicaStateStore;
  private readonly snapshots: MetadataSnapshots;
  private snapshotScheduled = false;
  private closed = false;

  private constructor(
    private readonly options: ControllerOptions,
    private readonly log: PartitionLog,
  ) {
    this.snapshots = new MetadataSnapshots(options.dir, options.state);
    const stateStore = (this.raftState = ReplicaStateStore.open(options.dir, {
      lastIndex: 0,
      term: 0,
      config: { voters: [...options.voters].sort((a, b) => a - b), learners: [...options.learners].sort((a, b) => a - b) },
    }));
    this.replica = new ReplicatedPartition({
      group: METADATA_GROUP,
      brokerId: options.brokerId,
      log,
      state: stateStore,
      transport: options.transport,
      random: options.random,
      electionTick: options.electionTick,
      heartbeatTick: options.heartbeatTick,
      appliedIndex: options.state.appliedIndex,
      onHighWatermark: () => undefined,
      onCommitted: (entries) => this.apply(entries),
      onLeaderChange: options.onLeaderChange,
      snapshots: this.snapshots,
    });
  }

  static async open(options: ControllerOptions): Promise<Controller> {
    const log = await PartitionLog.open(options.dir, {
      segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      // Retention runs only when a snapshot is taken, and then deletes every segment before it.
      retentionBytes: 0,
      retentionMs: -1,
      maxMessageBytes: MAX_COMMAND_BYTES + 1024,
      flush: { kind: 'always' },
    });
    return new Controller(options, log);
  }

  get state(): ClusterState {
    return this.options.state;
  }

  get leaderId(): number {
    return this.replica.leaderId;
  }

  /** Where the metadata log now starts: after the newest snapshot's point, once one was taken. */
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get isLeader(): boolean {
    return this.replica.isLeader;
  }

  private apply(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.type !== 'normal') {
        this.state.skipTo(entry.lastIndex);
        continue;
      }
      const value = decodeBatch(Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength)).records[0]?.value;
      const command = value ? parseCommand(value.toString('utf8')) : null;
      if (!command) this.options.logger.error('metadata.unreadable_command', { index: entry.lastIndex });
      const result = this.state.apply(entry.lastIndex, command);
      this.results.set(entry.lastIndex, result);
      if (this.results.size > RECENT_RESULTS) this.results.delete(this.results.keys().next().value as number);
    }
    // After this Ready's proposers are answered: they are told their entry committed by its term,
    // which the log no longer gives for an index the snapshot point has passed.
    if (!this.snapshotScheduled) {
      this.snapshotScheduled = true;
      setImmediate(() => {
        this.snapshotScheduled = false;
        if (!this.closed) this.maybeSnapshot();
      });
    }
  }

  /**
   * Every snapshotEveryEntries applied entries: writes the state as of the last one, makes that
   * the log's snapshot point and deletes the segments before it, so the log and a restart's reading
   * of it stay bounded, and a controller too far behind installs the snapshot (Raft InstallSnapshot).
   */
  private maybeSnapshot(): void {
    const applied = this.state.appliedIndex;
    if (applied - this.raftState.snapshotMeta.lastIndex < (this.options.snapshotEveryEntries ?? DEFAULT_SNAPSHOT_EVERY_ENTRIES)) return;
    const last = this.log.batchAt(offsetOfIndex(applied));
    if (!last || indexOfOffset(last.lastOffset) !== applied) return;
    this.snapshots.write(applied, this.state.snapshot());
    this.replica.recordLogStart(offsetOfIndex(applied) + 1, last.term);
    this.log.applyRetention({ below: offsetOfIndex(applied) + 1 }).then(
      (deleted) => this.options.logger.info('metadata.snapshot', { index: applied, segmentsDeleted: deleted }),
      (err: unknown) => this.options.logger.error('metadata.retention_failed', { index: applied, error: String(err) }),
    );
  }

  /** Runs `command` through the metadata log and returns its result once applied here. */
  async propose(command: MetadataCommand): Promise<CommandResult> {
    const leader = await awaitKnownLeader(() => this.leaderId, LEADER_WAIT_MS);
    if (this.isLeader) return this.proposeLocally(command);
    if (leader === 0) throw new BrokerError('LEADER_NOT_AVAILABLE', 'the cluster controller has no leader yet; retry shortly');
    return this.options.forward(leader, command);
  }

  /** The leader's side of a proposal (also the target of a forwarded one). */
  async proposeLocally(command: MetadataCommand): Promise<CommandResult> {
    if (!this.isLeader) throw this.replica.notLeader();
    const bytes = Buffer.from(JSON.stringify(command), 'utf8');
    if (bytes.length > MAX_COMMAND_BYTES) throw new BrokerError('REQUEST_TOO_LARGE', `metadata command of ${bytes.length} bytes`);
    const { lastOffset } = await this.replica.append(encodeBatch([{ key: null, value: bytes }]), 'all', MAX_COMMAND_BYTES + 1024);
    return this.results.get(indexOfOffset(lastOffset)) ?? { ok: true };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.replica.close();
    await this.log.close();
  }
}
