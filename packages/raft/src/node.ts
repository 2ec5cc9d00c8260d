import { decodeConfChange, encodeConfChange } from './conf-change';
import { RaftBehaviour, SAFE_BEHAVIOUR } from './behaviour';
import { RaftConfig } from './config';
import { RaftError } from './errors';
import { Raft } from './raft';
import { ConfChange, ConfState, Entry, EntryId, HardState, Message, NodeId, Ready, Role, SoftState } from './types';

export interface NodeStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId;
  readonly role: Role;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly config: ConfState;
}

/** What one Ready asked to persist, to be acknowledged by advance(). */
interface InFlight {
  readonly hardState: HardState | undefined;
  readonly lastEntry: EntryId | undefined;
  readonly snapshotIndex: number | undefined;
}

/**
 * The application's handle on a Raft node: feed it ticks and messages, then
 * loop `while (node.hasReady()) { const rd = node.ready(); ...; node.advance(); }`.
 * Only one Ready is outstanding at a time.
 */
export class RaftNode {
  readonly raft: Raft;
  private persisted: HardState;
  private prevSoft: SoftState;
  private inFlight: InFlight | undefined;

  constructor(config: RaftConfig, behaviour: RaftBehaviour = SAFE_BEHAVIOUR) {
    this.raft = new Raft(config, behaviour);
    this.persisted = config.storage.initialState().hardState;
    this.prevSoft = this.softState();
  }

  tick(): void {
    this.raft.tick();
  }

  step(m: Message): void {
    if (m.to !== this.raft.id) throw new RaftError('WRONG_NODE', `message for ${m.to} delivered to ${this.raft.id}`);
    this.raft.step(m);
  }

  campaign(): void {
    this.raft.hup(false);
  }

  /** Append a batch covering `count` indexes; returns the entry with its assigned indexes. Leader only. */
  propose(data: Uint8Array, count = 1): Entry {
    return this.raft.propose('normal', data, count);
  }

  proposeConfChange(cc: ConfChange): Entry {
    return this.raft.proposeConfChange(cc, encodeConfChange(cc));
  }

  /** Request a linearizable read; the answer arrives as a ReadState carrying `context`. False if no leader is known. */
  readIndex(context: number): boolean {
    return this.raft.readIndex(context);
  }

  transferLeadership(target: NodeId): void {
    this.raft.transferLeadership(target);
  }

  /**
   * With RaftConfig.reportsSync: the log is durable through `index`. Call it after advance() for
   * the Ready that wrote those entries (or at any time for entries written before).
   */
  synced(index: number): void {
    if (!this.raft.cfg.reportsSync) throw new RaftError('NOT_REPORTING_SYNC', 'synced() needs RaftConfig.reportsSync');
    this.raft.synced(index);
  }

  reportSnapshot(to: NodeId, sent: boolean): void {
    this.raft.reportSnapshot(to, sent);
  }

  status(): NodeStatus {
    const r = this.raft;
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      leader: r.lead,
      role: r.role,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      config: r.tracker.config,
    };
  }

  hasReady(): boolean {
    if (this.inFlight !== undefined) return false;
    const r = this.raft;
    const soft = this.prevSoft;
    if (soft.leader !== r.lead || soft.role !== r.role) return true;
    if (this.hardStateChanged(this.hardState())) return true;
    return (
      r.msgs.length > 0 ||
      r.syncedAcks.length > 0 ||
      r.readStates.length > 0 ||
      r.log.unstable.entries.length > 0 ||
      r.log.unstable.snapshot !== undefined ||
      r.log.hasNextCommittedEntries()
    );
  }

  ready(): Ready {
    if (this.inFlight !== undefined) throw new RaftError('READY_NOT_ADVANCED', 'advance() the previous Ready first');
    const r = this.raft;
    const log = r.log;
    const hs = this.hardState();
    const hardStateChanged = this.hardStateChanged(hs);
    const termOrVoteChanged = hs.term !== this.persisted.term || hs.vote !== this.persisted.vote;
    const snapshot = log.unstable.snapshot;
    const entries = log.unstable.entries.slice();
    const committedEntries = log.nextCommittedEntries(r.cfg.maxCommittedSizePerReady);
    if (snapshot !== undefined) log.appliedTo(snapshot.meta.lastIndex);
    if (committedEntries.length > 0) {
      log.appliedTo(committedEntries[committedEntries.length - 1].lastIndex);
      for (const e of committedEntries) if (e.type === 'config') r.applyConfChange(decodeConfChange(e.data));
    }
    const messages: Message[] = [];
    const messagesAfterPersist: Message[] = [];
    const early = !r.behaviour.sendsAfterPersist;
    for (const m of r.msgs) {
      const dependsOnDisk = termOrVoteChanged || m.type === 'appendResponse' || m.type === 'voteResponse';
      if (dependsOnDisk && !early) messagesAfterPersist.push(m);
      else messages.push(m);
    }
    r.msgs = [];
    // Durable already, but they carry the term, which must be durable first.
    for (const m of r.syncedAcks) (termOrVoteChanged && !early ? messagesAfterPersist : messages).push(m);
    r.syncedAcks = [];
    const readStates = r.readStates;
    r.readStates = [];
    this.prevSoft = this.softState();
    const last = entries.length > 0 ? entries[entries.length - 1] : undefined;
    this.inFlight = {
      hardState: hardStateChanged ? hs : undefined,
      lastEntry: last === undefined ? undefined : { lastIndex: last.lastIndex, term: last.term },
      snapshotIndex: snapshot?.meta.lastIndex,
    };
    return {
      softState: this.prevSoft,
      hardState: hardStateChanged ? hs : undefined,
      snapshotToPersist: snapshot,
      entriesToPersist: entries,
      committedEntries,
      messages,
      messagesAfterPersist,
      readStates,
    };
  }

  /** Everything the last Ready asked to persist is durable, and its committed entries are being applied. */
  advance(): void {
    const f = this.inFlight;
    if (f === undefined) throw new RaftError('NO_READY', 'advance() without a Ready');
    this.inFlight = undefined;
    if (f.hardState !== undefined) this.persisted = f.hardState;
    if (f.snapshotIndex !== undefined) this.raft.log.unstable.stableSnapTo(f.snapshotIndex);
    if (f.lastEntry !== undefined) this.raft.entriesPersisted(f.lastEntry.lastIndex, f.lastEntry.term);
  }

  private softState(): SoftState {
    return { leader: this.raft.lead, role: this.raft.role };
  }

  private hardState(): HardState {
    const r = this.raft;
    const vote = r.behaviour.persistedVote(r.vote);
    return { term: r.term, vote, commit: r.log.committed };
  }

  private hardStateChanged(hs: HardState): boolean {
    const p = this.persisted;
    return hs.term !== p.term || hs.vote !== p.vote || hs.commit !== p.commit;
  }
}
