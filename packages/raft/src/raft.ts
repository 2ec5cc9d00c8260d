import { applyConfChange, decodeConfChange } from './conf-change';
import { RaftBehaviour, SAFE_BEHAVIOUR } from './behaviour';
import { resolveConfig, RaftConfig, ResolvedConfig } from './config';
import { InvalidConfChangeError, ConfChangeInProgressError, NotLeaderError, ProposalDroppedError } from './errors';
import { Progress } from './progress';
import { RaftLog } from './raft-log';
import { ReadOnly } from './read-only';
import { handleAppend, handleAppendResponse, handleHeartbeat, handleSnapshot, maybeSendAppend } from './replication';
import { ProgressTracker } from './tracker';
import { ConfChange, ConfState, Entry, EntryType, Message, MessageType, NodeId, NONE, ReadState, Role } from './types';

type MessageFields = Partial<Omit<Message, 'type' | 'from' | 'to'>>;

/**
 * The Raft state machine. It owns no clock, socket, disk or randomness: time
 * arrives as tick(), input as step(), and output accumulates in `msgs`,
 * `readStates` and the log's unstable part for RaftNode to hand out.
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  msgs: Message[] = [];
  /** Append responses sent once synced() covered them: they vouch only for what is durable already. */
  syncedAcks: Message[] = [];
  readStates: ReadState[] = [];
  leadTransferee: NodeId = NONE;
  /** A leader proposes no membership change until the entry at this index is applied. */
  pendingConfIndex = 0;
  readonly cfg: ResolvedConfig;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private readonly readOnly = new ReadOnly();
  /** Reads that arrived before this leader committed an entry of its own term. */
  private pendingReads: { from: NodeId; context: number }[] = [];
  /** With reportsSync: the furthest this term's leader's appends reached, to be acknowledged once durable. */
  private unackedAppend: { to: NodeId; index: number; sent: number } | undefined;
  /** A timeoutNow came while committed membership changes were unapplied: campaign once they are. */
  private campaignOnApply = false;
  private stepRole: (m: Message) => void = this.stepFollower;
  private tickRole: () => void = this.tickElection;

  constructor(config: RaftConfig, readonly behaviour: RaftBehaviour = SAFE_BEHAVIOUR) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    const { hardState, snapshot } = this.cfg.storage.initialState();
    const snapIndex = snapshot.meta.lastIndex;
    const applied = this.cfg.applied ?? snapIndex;
    const durable = this.cfg.reportsSync ? snapIndex : this.cfg.storage.lastIndex();
    this.log = new RaftLog(this.cfg.storage, Math.max(hardState.commit, snapIndex), applied, durable);
    this.tracker = new ProgressTracker(this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
    let cs = snapshot.meta.config;
    if (applied > snapIndex) {
      for (const e of this.log.slice(snapIndex, applied, Infinity)) {
        if (e.type === 'config') cs = applyConfChange(cs, decodeConfChange(e.data));
      }
    }
    this.tracker.setConfig(cs, this.log.lastIndex() + 1);
    this.becomeFollower(hardState.term, NONE);
    this.vote = hardState.vote;
  }

  // ---- input ----

  tick(): void {
    this.tickRole();
  }

  step(m: Message): void {
    if (m.term > this.term) {
      if ((m.type === 'vote' || m.type === 'preVote') && !m.transfer && this.inLease()) return;
      if (m.type === 'preVote' || (m.type === 'preVoteResponse' && !m.reject)) {
        // Pre-votes ask about a future term without moving anyone to it.
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if (m.type === 'append' || m.type === 'heartbeat') {
        // Tell a stale leader about the new term so it steps down.
        this.send('appendResponse', m.from, { reject: true, index: m.index });
      } else if (m.type === 'preVote') {
        this.send('preVoteResponse', m.from, { reject: true });
      }
      return;
    }
    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVoteRequest(m);
      return;
    }
    this.stepRole(m);
  }

  /** Start an election now (as if the election timeout fired). */
  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable() || this.hasUnappliedConfChanges()) return;
    if (this.cfg.preVote && !transfer) this.campaign('preVote', false);
    else this.campaign('vote', transfer);
  }

  propose(type: EntryType, data: Uint8Array, count: number): Entry {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead);
    if (this.leadTransferee !== NONE) throw new ProposalDroppedError(`leadership is moving to ${this.leadTransferee}`);
    if (!Number.isInteger(count) || count < 1) throw new RangeError('an entry covers at least one index');
    return this.appendEntry(type, data, count);
  }

  proposeConfChange(cc: ConfChange, data: Uint8Array): Entry {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead);
    if (this.behaviour.confChangesOneAtATime && this.pendingConfIndex > this.log.applied) {
      throw new ConfChangeInProgressError(this.pendingConfIndex);
    }
    // A leader may remove or demote itself: it leads until the entry applies, then steps down.
    applyConfChange(this.tracker.config, cc);
    const e = this.propose('config', data, 1);
    this.pendingConfIndex = e.lastIndex;
    return e;
  }

  /** Ask for a linearizable read; false if there is no leader to ask. */
  readIndex(context: number): boolean {
    if (this.role === 'leader') {
      this.handleReadIndex(this.id, context);
      return true;
    }
    if (this.lead === NONE) return false;
    this.send('readIndex', this.lead, { context });
    return true;
  }

  transferLeadership(target: NodeId): void {
    if (this.role !== 'leader') throw new NotLeaderError(this.lead);
    if (target === this.id || !this.tracker.isVoter(target)) {
      throw new InvalidConfChangeError(`cannot transfer leadership to ${target}`);
    }
    if (this.leadTransferee === target) return;
    this.leadTransferee = target;
    this.electionElapsed = 0;
    const pr = this.tracker.progress.get(target) as Progress;
    if (pr.match === this.log.lastIndex()) this.send('timeoutNow', target, {});
    else this.sendAppend(target);
  }

  /**
   * The application reports what became of a snapshot it sent to `to`: `sent` false when it was
   * lost, so it goes again; true once it left (or was installed), so the follower is probed just
   * past it, and one that never got it rejects the probe and is sent another.
   */
  reportSnapshot(to: NodeId, sent: boolean): void {
    const pr = this.tracker.progress.get(to);
    if (this.role !== 'leader' || pr === undefined || pr.state !== 'snapshot') return;
    if (!sent) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    // Wait for the next heartbeat response before probing.
    pr.probeSent = true;
  }

  /** Membership changes take effect when their committed entry is handed to the application. */
  applyConfChange(cc: ConfChange): ConfState {
    const cs = applyConfChange(this.tracker.config, cc);
    this.tracker.setConfig(cs, this.log.lastIndex() + 1);
    // A candidate can apply its own removal too, having learned a commit from another's vote request.
    if (this.role !== 'follower' && !cs.voters.includes(this.id)) {
      if (this.role === 'leader') this.handOver(cs);
      this.becomeFollower(this.term, NONE);
      return cs;
    }
    if (this.role !== 'leader') return cs;
    if (this.leadTransferee !== NONE && !cs.voters.includes(this.leadTransferee)) this.leadTransferee = NONE;
    this.maybeCommit();
    this.bcastAppend();
    return cs;
  }

  /** The application wrote entries up to (lastIndex, term): durably, unless it reports syncs itself. */
  entriesPersisted(lastIndex: number, term: number): void {
    this.log.unstable.stableTo(lastIndex, term);
    if (!this.cfg.reportsSync) this.log.syncedTo(lastIndex);
    this.countSelf();
  }

  /** The application made its log durable through `index` (reportsSync only). */
  synced(index: number): void {
    this.log.syncedTo(index);
    this.countSelf();
    const pending = this.unackedAppend;
    if (pending === undefined || this.role !== 'follower' || this.lead !== pending.to) return;
    const ack = Math.min(pending.index, this.log.durable);
    if (ack <= pending.sent) return;
    pending.sent = ack;
    if (ack === pending.index) this.unackedAppend = undefined;
    this.syncedAcks.push(this.message('appendResponse', pending.to, { index: ack }));
  }

  /**
   * A follower's answer to an append that matched through `index`: at once when that is durable,
   * else once synced() covers it, since a leader counts every acknowledgement toward its quorum.
   */
  acknowledgeAppend(to: NodeId, index: number): void {
    if (!this.cfg.reportsSync || index <= this.log.durable || !this.behaviour.sendsAfterPersist) {
      this.send('appendResponse', to, { index });
      return;
    }
    const pending = this.unackedAppend;
    // Within one term a leader only extends what it sent, so the furthest match stands for all.
    if (pending === undefined || pending.to !== to) this.unackedAppend = { to, index, sent: 0 };
    else pending.index = Math.max(pending.index, index);
  }

  /** A leader counts its own log toward the quorum only as far as it is durable. */
  private countSelf(): void {
    if (this.role !== 'leader') return;
    const self = this.tracker.progress.get(this.id);
    if (self !== undefined && self.maybeUpdate(this.selfMatch()) && this.maybeCommit()) this.bcastAppend();
  }

  // ---- roles ----

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
    this.stepRole = this.stepFollower;
    this.tickRole = this.tickElection;
  }

  private becomePreCandidate(): void {
    // Unlike a candidate, a pre-candidate changes neither term nor vote.
    this.tracker.votes.clear();
    this.lead = NONE;
    this.role = 'preCandidate';
    this.stepRole = this.stepCandidate;
    this.tickRole = this.tickElection;
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.stepRole = this.stepCandidate;
    this.tickRole = this.tickElection;
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.stepRole = this.stepLeader;
    this.tickRole = this.tickHeartbeat;
    const self = this.tracker.progress.get(this.id) as Progress;
    self.becomeReplicate();
    self.maybeUpdate(this.selfMatch());
    // Entries of earlier terms commit only under an entry of this term (Raft §5.4.2).
    this.pendingConfIndex = this.log.lastIndex();
    if (!this.cfg.skipRedundantNoop || this.log.lastIndex() > this.log.committed) this.appendEntry('noop', new Uint8Array(0), 1);
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + Math.floor(this.cfg.random() * this.cfg.electionTick);
    this.leadTransferee = NONE;
    this.tracker.votes.clear();
    this.tracker.resetProgress(this.log.lastIndex() + 1);
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReads = [];
    this.unackedAppend = undefined;
    this.campaignOnApply = false;
  }

  private campaign(type: 'preVote' | 'vote', transfer: boolean): void {
    let term: number;
    if (type === 'preVote') {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === 'won') {
      if (type === 'preVote') this.campaign('vote', false);
      else this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    const commit = this.log.committed;
    for (const id of this.tracker.config.voters) {
      if (id !== this.id) this.send(type, id, { term, index, logTerm, commit, transfer });
    }
  }

  // ---- ticks ----

  private tickElection(): void {
    this.electionElapsed++;
    if (this.campaignOnApply && !this.hasUnappliedConfChanges()) {
      this.campaignOnApply = false;
      this.hup(true);
      return;
    }
    // A node that may not campaign keeps counting, so it stops honouring a silent leader's lease.
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum && !this.tracker.quorumActive(this.id)) {
        this.becomeFollower(this.term, NONE);
        return;
      }
      this.leadTransferee = NONE;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPendingRound());
    }
  }

  // ---- steps ----

  private handleVoteRequest(m: Message): void {
    const respType: MessageType = m.type === 'vote' ? 'voteResponse' : 'preVoteResponse';
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === 'preVote' && m.term > this.term);
    this.learnCandidateCommit(m);
    const upToDate = this.behaviour.candidateUpToDate(this.log, m.index, m.logTerm);
    if (canVote && upToDate) {
      this.send(respType, m.from, { term: m.term });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(respType, m.from, { reject: true });
    }
  }

  /**
   * Commits reach followers only from a leader, and configurations change only on apply: a learner
   * whose promotion committed without it hearing so, and whose log is now the most up to date,
   * would reject every candidate and never campaign itself, leaving the group without a leader.
   * A candidate's log matches ours through its last entry if we hold that entry (Log Matching),
   * so what it knows committed there is committed here too. A leader counts its own quorum.
   */
  private learnCandidateCommit(m: Message): void {
    if (this.role === 'leader' || !this.log.matchTerm(m.index, m.logTerm)) return;
    this.log.commitTo(Math.min(m.commit, m.index));
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0;
        this.lead = m.from;
        handleAppend(this, m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        handleHeartbeat(this, m);
        break;
      case 'snapshot':
        this.electionElapsed = 0;
        this.lead = m.from;
        handleSnapshot(this, m);
        break;
      case 'timeoutNow':
        // A leader that removed itself sends its commit index with this once it applied the change,
        // which we may not have yet.
        this.log.commitTo(m.commit);
        if (this.hasUnappliedConfChanges()) this.campaignOnApply = true;
        else this.hup(true);
        break;
      case 'readIndexResponse':
        this.readStates.push({ index: m.index, context: m.context ?? 0 });
        break;
      default:
        break;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        break;
      case 'voteResponse':
      case 'preVoteResponse': {
        if ((m.type === 'voteResponse') !== (this.role === 'candidate')) return;
        this.tracker.recordVote(m.from, m.reject !== true);
        const result = this.tracker.tallyVotes();
        if (result === 'won') {
          if (this.role === 'preCandidate') {
            this.campaign('vote', false);
          } else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (result === 'lost') {
          this.becomeFollower(this.term, NONE);
        }
        break;
      }
      default:
        break;
    }
  }

  private stepLeader(m: Message): void {
    if (m.type === 'readIndex') {
      this.handleReadIndex(m.from, m.context ?? 0);
      return;
    }
    const pr = this.tracker.progress.get(m.from);
    if (pr === undefined) return;
    switch (m.type) {
      case 'appendResponse':
        pr.recentActive = true;
        handleAppendResponse(this, m, pr);
        break;
      case 'heartbeatResponse':
        pr.recentActive = true;
        pr.probeSent = false;
        // The window may be full of appends that were lost: make room for one, which will reveal the gap.
        if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
        if (m.context !== undefined && m.context > 0) this.handleReadAck(m.context, m.from);
        break;
      default:
        break;
    }
  }

  private handleReadIndex(from: NodeId, context: number): void {
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReads.push({ from, context });
      return;
    }
    if (!this.behaviour.readsConfirmLeadership || this.tracker.config.voters.length === 1) {
      this.answerRead(from, this.log.committed, context);
      return;
    }
    const round = this.readOnly.add(this.log.committed, from, context, this.id);
    this.bcastHeartbeat(round);
  }

  private handleReadAck(round: number, from: NodeId): void {
    const acks = this.readOnly.ack(round, from);
    if (acks === undefined || !this.tracker.hasQuorum(acks)) return;
    for (const r of this.readOnly.release(round)) this.answerRead(r.from, r.index, r.context);
  }

  private answerRead(from: NodeId, index: number, context: number): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send('readIndexResponse', from, { index, context });
  }

  // ---- leader output ----

  private appendEntry(type: EntryType, data: Uint8Array, count: number): Entry {
    const first = this.log.lastIndex() + 1;
    const e: Entry = { term: this.term, firstIndex: first, lastIndex: first + count - 1, type, data };
    this.log.append([e]);
    this.bcastAppend();
    return e;
  }

  maybeCommit(): boolean {
    const before = this.log.committed;
    const anyTerm = !this.behaviour.commitsOnlyCurrentTerm;
    const quorum = this.behaviour.commitQuorum(this.tracker.config);
    if (!this.log.maybeCommit(this.tracker.committed(quorum), this.term, anyTerm)) return false;
    if (before < this.log.committed && this.pendingReads.length > 0 && this.log.term(this.log.committed) === this.term) {
      const reads = this.pendingReads;
      this.pendingReads = [];
      for (const r of reads) this.handleReadIndex(r.from, r.context);
    }
    return true;
  }

  bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendAppend(id);
  }

  private bcastHeartbeat(round: number): void {
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      this.send('heartbeat', id, { commit: Math.min(pr.match, this.log.committed), context: round });
    }
  }

  sendAppend(to: NodeId): void {
    maybeSendAppend(this, to, true);
  }

  /** Queue a message from this node; the term defaults to ours. */
  send(type: MessageType, to: NodeId, f: MessageFields): void {
    this.msgs.push(this.message(type, to, f));
  }

  private message(type: MessageType, to: NodeId, f: MessageFields): Message {
    return {
      type,
      from: this.id,
      to,
      term: f.term ?? this.term,
      index: f.index ?? 0,
      logTerm: f.logTerm ?? 0,
      commit: f.commit ?? 0,
      entries: f.entries,
      snapshot: f.snapshot,
      reject: f.reject,
      rejectHint: f.rejectHint,
      context: f.context,
      transfer: f.transfer,
    };
  }

  // ---- helpers ----

  private inLease(): boolean {
    return this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
  }

  promotable(): boolean {
    return this.tracker.isVoter(this.id) && this.log.unstable.snapshot === undefined;
  }

  /**
   * A leader leaving the voters (etcd's StepDownOnRemoval, plus a transfer). Members that do not
   * know the change committed go on counting us, and we hold the longest log, so would refuse
   * every candidate our vote: tell them all how far the log is committed. And ask the voter most
   * caught up to campaign now, rather than the group waiting out our lease with no leader; it
   * learns the commit from that message too, should the heartbeat come late.
   */
  private handOver(cs: ConfState): void {
    this.bcastHeartbeat(0);
    let successor: NodeId = NONE;
    let match = -1;
    for (const id of cs.voters) {
      const pr = this.tracker.progress.get(id);
      if (id !== this.id && pr !== undefined && pr.match > match) {
        successor = id;
        match = pr.match;
      }
    }
    if (successor !== NONE) this.send('timeoutNow', successor, { commit: Math.min(match, this.log.committed) });
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    for (const e of this.log.slice(this.log.applied, this.log.committed, Infinity)) if (e.type === 'config') return true;
    return false;
  }

  /** The last index written to storage and durable on this node. */
  private selfMatch(): number {
    const first = this.log.unstable.firstIndex();
    const stable = first !== undefined ? first - 1 : this.log.unstable.snapshot !== undefined ? 0 : this.log.lastIndex();
    return Math.min(stable, this.log.durable);
  }
}

