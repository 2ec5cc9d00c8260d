import { RaftNode, type ConfChange, type RaftBehaviour, type Entry, type Message, type Ready, type Role } from '@gregor/raft';
import { isControlBatch, setBaseOffset, setPartitionLeaderEpoch, validateSingleBatch } from '@gregor/records';
import type { AppendResult, PartitionLog } from '@gregor/storage';
import { BrokerError, NotLeaderError } from '../errors';
import { CatchUpThrottle } from './catch-up-throttle';
import { ConfigHistory } from './config-history';
import { PartitionRaftStorage, type StateSnapshots } from './partition-raft-storage';
import { Acks, PendingAppends } from './pending-appends';
import { ProducedBatch, ProducerStates } from './producer-state';
import { indexOfOffset, offsetOfIndex } from './raft-index';
import type { RaftTransport } from './raft-transport';
import { ReplicaStateStore } from './replica-state-store';

export interface ReplicatedPartitionOptions {
  /** The Raft group's name on the wire, e.g. "orders/3". */
  group: string;
  /** The name clients know it by, for errors (e.g. "orders-3"); the group name unless given. */
  name?: string;
  /** Where clients reach a broker, so NOT_LEADER can point at the leader. */
  addressOf?(brokerId: number): string | undefined;
  brokerId: number;
  log: PartitionLog;
  state: ReplicaStateStore;
  transport: RaftTransport;
  random: () => number;
  electionTick: number;
  heartbeatTick: number;
  /** Called with the new high watermark (an offset) whenever the commit index moves. */
  onHighWatermark(highWatermark: number): void;
  /** Called when this replica's view of the leader changes (0 = none known). */
  onLeaderChange?(leader: number, role: Role): void;
  /**
   * For groups with a state machine (the cluster metadata): the last index it has applied, and
   * the hook that applies newly committed entries, called before any waiting produce call is
   * answered. Partition replicas have no state machine beyond the log itself.
   */
  appliedIndex?: number;
  onCommitted?(entries: readonly Entry[]): void;
  /** What a snapshot of that state machine carries; a partition's snapshot carries nothing. */
  snapshots?: StateSnapshots;
  /** Raft's safety rules; only testkit's deliberately broken brokers pass anything but the default. */
  behaviour?: RaftBehaviour;
}

/**
 * One partition replica driven by Raft. The leader assigns offsets by proposing a batch (its Raft
 * indexes become the batch's offsets, its term the partitionLeaderEpoch); every replica writes
 * each Ready's entries to its segment log, and the commit index is the high watermark.
 */
export class ReplicatedPartition {
  /** Leaders this replica has come to know of since it opened, the first included (metrics). */
  leaderChanges = 0;
  /** Elections this replica has stood in (pre-votes that went no further excluded). */
  electionsStarted = 0;
  readonly node: RaftNode;
  private readonly storage: PartitionRaftStorage;
  private readonly pending = new PendingAppends();
  private processing = false;
  private again = false;
  private leader = 0;
  private role: Role = 'follower';
  private stopped = false;
  private failure: unknown = null;
  private hw = 0;
  private readonly producers = new ProducerStates();
  /**
   * What the log's batches say of producers, kept by the log as it writes them (every replica
   * does, and snapshots it at each segment roll): a new leader copies it instead of reading its log.
   */
  private readonly loggedProducers = new ProducerStates();
  /** False from losing leadership until a new term's producer state is copied from the log's. */
  private producerStateReady = false;
  private readonly configs: ConfigHistory;
  private throttle: CatchUpThrottle | null = null;

  constructor(private readonly options: ReplicatedPartitionOptions) {
    this.storage = new PartitionRaftStorage(options.log, options.state, options.snapshots ?? null);
    options.log.track(this.loggedProducers);
    const hard = options.state.hardState;
    const lastIndex = this.storage.lastIndex();
    // Entries are written before the hard state, so a stored commit can run ahead of a log cut by a
    // crash. This replica never acknowledged what the crash took (see reportSynced): it may vote at once.
    if (hard.commit > lastIndex) options.state.saveHardState({ ...hard, commit: lastIndex }, true);
    const applied = options.appliedIndex ?? Math.max(options.state.hardState.commit, options.state.snapshotMeta.lastIndex);
    const log = options.log;
    this.configs = ConfigHistory.load(options.state.snapshotMeta, applied, log.batchHeaders(), (header) =>
      log.readNow(header.baseOffset, 1, header.baseOffset + header.lastOffsetDelta + 1).bytes,
    );
    this.node = new RaftNode({
      id: options.brokerId,
      storage: this.storage,
      electionTick: options.electionTick,
      heartbeatTick: options.heartbeatTick,
      random: options.random,
      applied,
      skipRedundantNoop: true,
      // Acknowledgements wait for fsync under every flush policy: see reportSynced.
      reportsSync: true,
    }, options.behaviour);
    this.setHighWatermark(offsetOfIndex(Math.max(options.state.hardState.commit, applied)) + 1);
    this.node.synced(this.durableIndex());
    options.log.onDurable(() => {
      if (this.stopped) return;
      this.reportSynced();
      this.kick();
    });
    // After an unclean stop the log read back may still be only in the page cache.
    if (options.log.durableOffset < options.log.logEndOffset) options.log.flush().catch((err: unknown) => this.fail(err));
  }

  get group(): string {
    return this.options.group;
  }

  /** The Raft core's current view, which can run ahead of the last Ready handled. */
  get leaderId(): number {
    return this.node.raft.lead;
  }

  get isLeader(): boolean {
    return this.node.raft.role === 'leader';
  }

  /** The Raft term of this replica's view: a leader's term names its leadership. */
  get term(): number {
    return this.node.raft.term;
  }

  /** No Ready in hand or waiting: a test on virtual time lets every replica go idle before it moves time on. */
  get idle(): boolean {
    return !this.processing && (this.stopped || !this.node.hasReady());
  }

  /**
   * Whether this replica leads and its high watermark is the partition's whole commit index. A
   * new leader can hold entries its predecessor committed without having been told; it learns
   * they are committed only once an entry of its own term commits (Raft §5.4.2), unless all it
   * holds is already known committed.
   */
  get highWatermarkComplete(): boolean {
    const raft = this.node.raft;
    const committed = raft.log.committed;
    const known = committed === raft.log.lastIndex() || raft.log.term(committed) === raft.term;
    return this.isLeader && known && this.hw >= offsetOfIndex(committed) + 1;
  }

  /**
   * Proposes one batch as leader and resolves with its offsets once it is durable on a majority
   * (acks=all) or on the leader (acks=leader). The batch is stamped in place. Checks in the order
   * produce has always answered in: size (the topic's max.message.bytes, `maxBatchBytes`), then
   * leadership, then the batch itself.
   */
  append(batch: Buffer, acks: Acks, maxBatchBytes: number): Promise<AppendResult> {
    if (batch.length > maxBatchBytes) {
      throw new BrokerError('REQUEST_TOO_LARGE', `batch of ${batch.length} bytes exceeds max.message.bytes ${maxBatchBytes} of ${this.name}`);
    }
    if (!this.isLeader) throw this.notLeader();
    this.checkUsable();
    const header = validateSingleBatch(batch);
    if (isControlBatch(header.attributes)) throw new BrokerError('INVALID_REQUEST', 'control batches are written by the broker only');
    const idempotent = header.producerId >= 0;
    if (idempotent) {
      if (!this.producerStateReady) throw new NotLeaderError(this.group, 0, undefined);
      const verdict = this.producers.check(header);
      if (verdict.kind === 'duplicate') return this.answerDuplicate(verdict.batch, acks);
    }
    const entry = this.node.propose(batch, header.lastOffsetDelta + 1);
    this.storage.noteChecked(batch);
    const baseOffset = offsetOfIndex(entry.firstIndex);
    setBaseOffset(batch, 0, baseOffset);
    setPartitionLeaderEpoch(batch, 0, entry.term);
    if (idempotent) this.producers.record(header, baseOffset, entry.term);
    const result = this.pending.add(entry.lastIndex, entry.term, acks, {
      baseOffset,
      lastOffset: offsetOfIndex(entry.lastIndex),
      logAppendTime: Date.now(),
    });
    this.kick();
    return result;
  }

  /** A retried batch: answered with where it was first written, once that write is as durable as asked. */
  private answerDuplicate(original: ProducedBatch, acks: Acks): Promise<AppendResult> {
    const result = { baseOffset: original.baseOffset, lastOffset: original.lastOffset, logAppendTime: Date.now() };
    const lastIndex = indexOfOffset(original.lastOffset);
    if (original.lastOffset < this.hw) return Promise.resolve(result);
    const answer = this.pending.add(lastIndex, original.term, acks, result);
    if (acks === 'leader') this.pending.persisted(this.durableIndex());
    return answer;
  }

  /** The last Raft index an fsync covered: never the log end, which moves before the fsync. */
  private durableIndex(): number {
    return Math.max(this.options.state.snapshotMeta.lastIndex, indexOfOffset(this.options.log.durableOffset - 1));
  }

  /**
   * Raft's safety assumes every acknowledgement is durable, so under any flush policy this replica
   * acknowledges only what is fsynced: a follower's append responses, a leader's own count toward
   * the commit quorum and acks=leader produce calls. flush.policy=interval batches fsyncs on a
   * timer and so delays acknowledgements; it never lets one run ahead of the disk.
   */
  private reportSynced(): void {
    const durable = this.durableIndex();
    this.node.synced(durable);
    this.pending.persisted(durable);
  }

  step(message: Message): void {
    if (this.stopped) return;
    this.node.step(message);
    this.kick();
  }

  /** `sent` false: the snapshot sent to `to` was lost, so send it again; true: probe whether it was installed. */
  reportSnapshot(to: number, sent: boolean): void {
    if (this.stopped) return;
    this.node.reportSnapshot(to, sent);
    this.kick();
  }

  tick(): void {
    if (this.stopped) return;
    this.node.tick();
    if (this.throttle) this.options.transport.send(this.group, this.throttle.release());
    this.kick();
  }

  /** Caps what this leader sends to learners at `bytesPerSecond` (a move's --throttle); 0 lifts the cap. */
  throttleCatchUp(bytesPerSecond: number): void {
    if (bytesPerSecond > 0) {
      if (this.throttle) this.throttle.setRate(bytesPerSecond);
      else this.throttle = new CatchUpThrottle(bytesPerSecond, Date.now);
    } else if (this.throttle) {
      const held = this.throttle.drain();
      this.throttle = null;
      this.options.transport.send(this.group, held);
    }
  }

  private send(messages: readonly Message[]): void {
    const throttle = this.throttle;
    const progress = this.node.raft.tracker.progress;
    const admitted = throttle ? throttle.admit(messages, (id) => progress.get(id)?.isLearner === true) : messages;
    this.options.transport.send(this.group, admitted);
  }

  campaign(): void {
    this.node.campaign();
    this.kick();
  }

  /** Proposes one membership change as leader (a reassignment's step). */
  proposeConfChange(change: ConfChange): void {
    this.node.proposeConfChange(change);
    this.kick();
  }

  transferLeadership(to: number): void {
    this.node.transferLeadership(to);
    this.kick();
  }

  /** Stops taking input; pending produce calls fail with NOT_LEADER so clients retry elsewhere. */
  stop(): void {
    this.stopped = true;
    this.pending.failAll(() => this.notLeader());
  }

  /**
   * Retention is about to delete everything before `logStart`: the Raft log now begins there,
   * so record it as this replica's snapshot point first (a follower that needs the deleted
   * entries is sent that point and restarts its log from it).
   */
  recordLogStart(logStart: number, lastDeletedTerm: number): void {
    const lastIndex = indexOfOffset(logStart - 1);
    const meta = { lastIndex, term: lastDeletedTerm, config: this.configs.at(lastIndex) };
    this.options.state.saveSnapshot(meta);
    this.configs.restartAt(meta);
  }

  /** Stops, and closes the Raft state file (the caller owns the log). */
  close(): void {
    this.stop();
    this.options.state.close();
  }

  private get name(): string {
    return this.options.name ?? this.group;
  }

  /** NOT_LEADER naming the leader and where to reach it, or LEADER_NOT_AVAILABLE when none is known. */
  notLeader(): BrokerError {
    const leader = this.leaderId;
    return new NotLeaderError(this.name, leader, leader === 0 ? undefined : this.options.addressOf?.(leader));
  }

  private checkUsable(): void {
    if (this.stopped) throw new BrokerError('SHUTTING_DOWN', `${this.group} is stopping`);
    if (this.failure !== null) throw new BrokerError('INTERNAL', `${this.group} failed: ${String(this.failure)}`);
  }

  private kick(): void {
    if (this.processing) {
      this.again = true;
      return;
    }
    void this.processReadies();
  }

  private async processReadies(): Promise<void> {
    this.processing = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.node.hasReady()) await this.handle(this.node.ready());
      } while (this.again && !this.stopped);
    } catch (err) {
      this.fail(err);
    } finally {
      this.processing = false;
    }
  }

  /** A replica that cannot write its log must not keep voting or acknowledging. */
  private fail(err: unknown): void {
    this.failure = err;
    this.stopped = true;
    this.pending.failAll(() => new BrokerError('INTERNAL', `${this.group} failed: ${String(err)}`));
  }

  private async handle(rd: Ready): Promise<void> {
    const { leader, role } = rd.softState;
    const becameLeader = role === 'leader' && this.role !== 'leader';
    if (leader !== this.leader || role !== this.role) {
      const wasLeader = this.role === 'leader';
      if (leader !== this.leader && leader !== 0) this.leaderChanges++;
      if (role === 'candidate' && this.role !== 'candidate') this.electionsStarted++;
      this.leader = leader;
      this.role = role;
      if (wasLeader && role !== 'leader') {
        this.producerStateReady = false;
        this.pending.failAll(() => this.notLeader());
      }
      this.options.onLeaderChange?.(leader, role);
    }
    this.send(rd.messages);
    // Entries this replica already holds on disk can be applied (and their producers answered)
    // before this Ready's own write: waiting for it would add an fsync to every acknowledgement.
    const committed = rd.committedEntries;
    const applyFirst = committed.length > 0 && !rd.snapshotToPersist && committed[committed.length - 1].lastIndex <= this.storage.lastIndex();
    if (applyFirst) this.applyCommitted(committed);
    if (rd.snapshotToPersist) {
      await this.storage.installSnapshot(rd.snapshotToPersist.meta, rd.snapshotToPersist.data);
      this.configs.restartAt(rd.snapshotToPersist.meta);
    }
    if (rd.entriesToPersist.length > 0) await this.storage.append(rd.entriesToPersist);
    if (rd.hardState) this.storage.saveHardState(rd.hardState);
    if (becameLeader) {
      // Everything this leader will ever commit from earlier terms is in its log now.
      this.producers.restore(this.loggedProducers.snapshot());
      this.producers.knowsEveryProducer = this.options.log.logStartOffset === 0;
      this.producerStateReady = true;
    }
    this.send(rd.messagesAfterPersist);
    if (committed.length > 0 && !applyFirst) this.applyCommitted(committed);
    this.node.advance();
    this.reportSynced();
  }

  private applyCommitted(committed: readonly Entry[]): void {
    const commit = committed[committed.length - 1].lastIndex;
    this.configs.applied(committed);
    this.options.onCommitted?.(committed);
    this.storage.releaseThrough(commit);
    this.pending.committed(commit, (index) => this.storage.term(index), () => this.notLeader());
    this.setHighWatermark(offsetOfIndex(commit) + 1);
  }

  private setHighWatermark(hw: number): void {
    this.hw = hw;
    this.options.onHighWatermark(hw);
  }

  /** The offset after the last committed batch: readers never pass it. */
  get highWatermark(): number {
    return this.hw;
  }

  get logStartOffset(): number {
    return this.options.log.logStartOffset;
  }

  /** The bytes of this replica's log, for a move's progress. */
  get sizeInBytes(): number {
    return this.options.log.sizeInBytes;
  }

  /** The offset after this replica's last batch, committed or not: for DescribeCluster and lag. */
  get logEndOffset(): number {
    return this.options.log.logEndOffset;
  }
}
