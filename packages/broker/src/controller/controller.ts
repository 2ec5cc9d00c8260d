import type { Entry, Role } from '@gregor/raft';
import { decodeBatch, encodeBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { BrokerError } from '../errors';
import type { Logger } from '../logger';
import { awaitKnownLeader } from '../replication/await-leader';
import { indexOfOffset } from '../replication/raft-index';
import { ReplicaStateStore } from '../replication/replica-state-store';
import { ReplicatedPartition } from '../replication/replicated-partition';
import type { RaftTransport } from '../replication/raft-transport';
import { ClusterState } from './cluster-state';
import { CommandResult, MetadataCommand, parseCommand } from './metadata-commands';

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
}

/**
 * This broker's replica of the cluster metadata log. Every broker holds one (controllers vote,
 * the rest are learners) and applies committed commands to its ClusterState; commands are
 * proposed on the leader, and a broker that is not the leader forwards them there.
 */
export class Controller {
  readonly replica: ReplicatedPartition;
  private readonly results = new Map<number, CommandResult>();

  private constructor(
    private readonly options: ControllerOptions,
    private readonly log: PartitionLog,
  ) {
    const stateStore = ReplicaStateStore.open(options.dir, {
      lastIndex: 0,
      term: 0,
      config: { voters: [...options.voters].sort((a, b) => a - b), learners: [...options.learners].sort((a, b) => a - b) },
    });
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
    });
  }

  static async open(options: ControllerOptions): Promise<Controller> {
    const log = await PartitionLog.open(options.dir, {
      segmentBytes: 16 * 1024 * 1024,
      retentionBytes: -1,
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
    this.replica.close();
    await this.log.close();
  }
}
