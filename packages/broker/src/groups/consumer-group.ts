import { randomUUID } from 'crypto';
import { BrokerError } from '../errors';
import type { Logger } from '../logger';
import type { Protocol, StoredGroup, StoredMember } from './group-records';
import { selectProtocol, sameProtocols } from './protocol-selection';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinRequest {
  memberId: string;
  groupInstanceId: string;
  protocolType: string;
  protocols: Protocol[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  clientId: string;
  clientHost: string;
}

export interface JoinResult {
  generation: number;
  protocolType: string;
  protocolName: string;
  leader: string;
  memberId: string;
  /** Every member's subscription for the chosen protocol; the leader's answer only. */
  members: Array<{ memberId: string; groupInstanceId: string; metadata: Buffer }>;
}

export interface SyncRequest {
  generation: number;
  memberId: string;
  groupInstanceId: string;
  protocolType: string;
  protocolName: string;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncResult {
  protocolType: string;
  protocolName: string;
  assignment: Buffer;
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string;
}

/** What a group needs from the partition that hosts it. */
export interface GroupHost {
  now(): number;
  logger: Logger;
  /** Appends the group's membership to its log; resolves once committed. */
  persist(stored: StoredGroup): Promise<void>;
  /** Throws a typed error unless every partition an assignment names exists. */
  checkAssignment(protocolType: string, assignment: Buffer): void;
  /** Throws REQUEST_TOO_LARGE if the membership would not fit one record of the log. */
  checkStorable(stored: StoredGroup): void;
}

export interface GroupLimits {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  maxSize: number;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

interface Member extends StoredMember {
  protocolType: string;
  joining: Waiter<JoinResult> | null;
  syncing: Waiter<SyncResult> | null;
  /** A heartbeat answered at `until`, or at once when the group starts to rebalance. */
  held: { waiter: Waiter<void>; until: number } | null;
  sessionDeadline: number;
}

const EMPTY = Buffer.alloc(0);
/** A held heartbeat stays well inside a forwarded call's deadline and the member's session. */
const MAX_HEARTBEAT_HOLD_MS = 5000;

function waiter<T>(): { waiter: Waiter<T>; promise: Promise<T> } {
  let w!: Waiter<T>;
  const promise = new Promise<T>((resolve, reject) => (w = { resolve, reject }));
  return { waiter: w, promise };
}

const groupError = (code: ConstructorParameters<typeof BrokerError>[0], message: string): BrokerError => new BrokerError(code, message);

/**
 * One consumer group on its coordinator: Kafka's classic membership protocol. Members join; once
 * every known member has rejoined (or the rebalance timeout passes) the generation moves on, the
 * coordinator picks the protocol all members support and a leader, and answers every join; the
 * leader's SyncGroup carries the assignment, which is committed to the log before any member
 * receives its part. Members that miss their session timeout are removed, which starts a
 * rebalance. Time comes from the host and moves only in tick(), so tests run on virtual time.
 */
export class ConsumerGroup {
  private stateName: GroupState;
  private generationId: number;
  private protocolTypeName: string;
  private protocolName: string;
  private leaderId: string;
  /** In join order: the first member of a rebalance leads when the old leader is gone. */
  private readonly members = new Map<string, Member>();
  /** Static members: instance id to its current member id. */
  private readonly instances = new Map<string, string>();
  private rebalanceDeadline = 0;

  constructor(
    readonly id: string,
    private readonly host: GroupHost,
    private readonly limits: GroupLimits,
    stored: StoredGroup | null,
  ) {
    this.generationId = stored?.generation ?? 0;
    this.protocolTypeName = stored?.protocolType ?? '';
    this.protocolName = stored?.protocolName ?? '';
    this.leaderId = stored?.leader ?? '';
    const now = host.now();
    // A new coordinator restarts every session: members keep their partitions if they heartbeat in time.
    for (const m of stored?.members ?? []) this.add({ ...m, protocolType: this.protocolTypeName, joining: null, syncing: null, held: null, sessionDeadline: now + m.sessionTimeoutMs });
    this.stateName = this.members.size > 0 ? 'Stable' : 'Empty';
  }

  get state(): GroupState {
    return this.stateName;
  }

  get generation(): number {
    return this.generationId;
  }

  get protocolType(): string {
    return this.protocolTypeName;
  }

  get size(): number {
    return this.members.size;
  }

  describe(): { state: GroupState; protocolType: string; protocolName: string; generation: number; leader: string; members: StoredMember[] } {
    return {
      state: this.stateName,
      protocolType: this.protocolTypeName,
      protocolName: this.protocolName,
      generation: this.generationId,
      leader: this.leaderId,
      members: [...this.members.values()].map((m) => this.stored(m)),
    };
  }

  async join(request: JoinRequest): Promise<JoinResult> {
    this.requireLive();
    this.checkJoin(request);
    return request.memberId === '' ? this.joinUnknown(request) : this.joinKnown(request);
  }

  async sync(request: SyncRequest): Promise<SyncResult> {
    this.requireLive();
    const member = this.member(request);
    if (request.generation !== this.generationId) throw this.illegalGeneration(request.generation);
    if ((request.protocolType && request.protocolType !== this.protocolTypeName) || (request.protocolName && request.protocolName !== this.protocolName)) {
      throw groupError('INCONSISTENT_GROUP_PROTOCOL', `group ${this.id} uses ${this.protocolTypeName}/${this.protocolName}, not ${request.protocolType}/${request.protocolName}`);
    }
    if (this.stateName === 'PreparingRebalance') throw this.rebalancing();
    if (this.stateName === 'Stable') return this.syncResult(member);
    const assigned = request.memberId === this.leaderId ? this.assignedGroup(request.assignments) : null;
    const { waiter: w, promise } = waiter<SyncResult>();
    member.syncing?.reject(this.rebalancing());
    member.syncing = w;
    member.sessionDeadline = this.host.now() + member.sessionTimeoutMs;
    if (assigned) this.completeSync(assigned);
    return promise;
  }

  /**
   * Keeps the member's session. With `waitMs`, the answer waits up to that long (at most half the
   * session) and comes at once, as REBALANCE_IN_PROGRESS, if the group starts to rebalance
   * meanwhile: members learn of a rebalance when it starts, not at their next heartbeat.
   */
  async heartbeat(identity: MemberIdentity & { generation: number }, waitMs = 0): Promise<void> {
    this.requireLive();
    const member = this.member(identity);
    if (identity.generation !== this.generationId) throw this.illegalGeneration(identity.generation);
    const now = this.host.now();
    member.sessionDeadline = now + member.sessionTimeoutMs;
    if (this.stateName === 'PreparingRebalance') throw this.rebalancing();
    this.release(member);
    const hold = Math.min(waitMs, member.sessionTimeoutMs / 2, MAX_HEARTBEAT_HOLD_MS);
    if (!(hold > 0)) return;
    const { waiter: w, promise } = waiter<void>();
    member.held = { waiter: w, until: now + hold };
    return promise;
  }

  /** Removes each member (a static one by instance id); the first error is thrown after the rest have left. */
  leave(leaving: readonly MemberIdentity[]): void {
    this.requireLive();
    let failure: BrokerError | null = null;
    for (const identity of leaving) {
      try {
        this.remove(this.leavingMember(identity), `${identity.memberId || identity.groupInstanceId} left`);
      } catch (err) {
        failure ??= err as BrokerError;
      }
    }
    if (failure) throw failure;
  }

  /**
   * Whether a commit may go ahead: a member commits in its generation (also while the group
   * prepares a rebalance, so it can commit what it revokes); a commit outside membership (no
   * member id) only to a group without members.
   */
  checkCommit(identity: MemberIdentity & { generation: number }): void {
    this.requireLive();
    if (identity.memberId === '' && identity.groupInstanceId === '') {
      if (this.members.size > 0) {
        throw groupError('UNKNOWN_MEMBER_ID', `group ${this.id} has ${this.members.size} live member(s); commit as a member, or stop them first`);
      }
      return;
    }
    const member = this.member(identity);
    if (identity.generation !== this.generationId) throw this.illegalGeneration(identity.generation);
    if (this.stateName === 'CompletingRebalance') throw this.rebalancing();
    member.sessionDeadline = this.host.now() + member.sessionTimeoutMs;
  }

  /** Expires sessions and ends a rebalance whose timeout has passed. */
  tick(): void {
    if (this.stateName === 'Dead') return;
    const now = this.host.now();
    for (const member of [...this.members.values()]) {
      if (!member.joining && now >= member.sessionDeadline) this.remove(member, `${member.memberId} missed its session timeout`);
      else if (member.held && now >= member.held.until) this.release(member);
    }
    if (this.stateName === 'PreparingRebalance' && now >= this.rebalanceDeadline) {
      for (const member of [...this.members.values()]) {
        if (!member.joining) this.drop(member, `${member.memberId} did not rejoin within the rebalance timeout`);
      }
      this.completeJoin();
    }
  }

  /** The coordinator moved or the group was deleted: every waiting call fails with `err`. */
  close(err: BrokerError): void {
    for (const member of this.members.values()) {
      member.joining?.reject(err);
      member.syncing?.reject(err);
      member.joining = member.syncing = null;
      this.release(member, err);
    }
    this.stateName = 'Dead';
  }

  private requireLive(): void {
    if (this.stateName === 'Dead') throw groupError('COORDINATOR_NOT_AVAILABLE', `group ${this.id} is being unloaded or deleted; retry`);
  }

  private checkJoin(request: JoinRequest): void {
    const { minSessionTimeoutMs: min, maxSessionTimeoutMs: max } = this.limits;
    if (!Number.isInteger(request.sessionTimeoutMs) || request.sessionTimeoutMs < min || request.sessionTimeoutMs > max) {
      throw groupError('INVALID_SESSION_TIMEOUT', `session timeout ${request.sessionTimeoutMs} ms is outside ${min}..${max} ms`);
    }
    if (!Number.isInteger(request.rebalanceTimeoutMs) || request.rebalanceTimeoutMs <= 0 || request.rebalanceTimeoutMs > max) {
      throw groupError('INVALID_SESSION_TIMEOUT', `rebalance timeout ${request.rebalanceTimeoutMs} ms is outside 1..${max} ms`);
    }
    if (!request.protocolType || request.protocols.length === 0) {
      throw groupError('INCONSISTENT_GROUP_PROTOCOL', 'a join needs a protocol type and at least one protocol');
    }
    const others = [...this.members.values()].filter((m) => m.memberId !== request.memberId);
    if (others.length === 0) return;
    const names = new Set(request.protocols.map((p) => p.name));
    const shared = others.reduce((common, m) => common.filter((n) => m.protocols.some((p) => p.name === n)), [...names]);
    if (request.protocolType !== this.protocolTypeName || shared.length === 0) {
      throw groupError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group ${this.id} members use ${this.protocolTypeName} with ${others[0].protocols.map((p) => p.name).join(',')}; this member offers ${request.protocolType} with ${[...names].join(',')}`,
      );
    }
  }

  private joinUnknown(request: JoinRequest): Promise<JoinResult> {
    const memberId = `${request.clientId || 'member'}-${randomUUID()}`;
    const previousId = request.groupInstanceId ? this.instances.get(request.groupInstanceId) : undefined;
    if (previousId !== undefined) return this.replaceStatic(this.members.get(previousId)!, memberId, request);
    if (this.members.size >= this.limits.maxSize) throw groupError('GROUP_MAX_SIZE_REACHED', `group ${this.id} has reached its ${this.limits.maxSize} members`);
    const member: Member = { ...this.fromRequest(request, memberId), assignment: EMPTY, joining: null, syncing: null, held: null, sessionDeadline: 0 };
    this.add(member);
    return this.awaitJoin(member, `${memberId} joined`);
  }

  /**
   * A static member restarting under a new member id: the old incarnation is fenced. In a stable
   * group with an unchanged subscription it takes its old place with no rebalance (the point of
   * static membership); the change of member id is committed before it is answered.
   */
  private async replaceStatic(old: Member, memberId: string, request: JoinRequest): Promise<JoinResult> {
    const fenced = groupError('FENCED_INSTANCE_ID', `instance ${request.groupInstanceId} rejoined as another member`);
    old.joining?.reject(fenced);
    old.syncing?.reject(fenced);
    this.release(old, fenced);
    const unchanged = sameProtocols(old.protocols, request.protocols);
    this.members.delete(old.memberId);
    const member: Member = { ...this.fromRequest(request, memberId), assignment: old.assignment, joining: null, syncing: null, held: null, sessionDeadline: 0 };
    this.add(member);
    const wasLeader = this.leaderId === old.memberId;
    if (wasLeader) this.leaderId = memberId;
    if (this.stateName !== 'Stable' || !unchanged) return this.awaitJoin(member, `static member ${request.groupInstanceId} rejoined`);
    const generation = this.generationId;
    member.sessionDeadline = this.host.now() + member.sessionTimeoutMs;
    await this.host.persist(this.snapshot());
    if (this.generationId !== generation || this.members.get(memberId) !== member) throw this.rebalancing();
    return this.joinResult(member, wasLeader);
  }

  private joinKnown(request: JoinRequest): Promise<JoinResult> {
    const member = this.member(request);
    const unchanged = sameProtocols(member.protocols, request.protocols);
    Object.assign(member, this.fromRequest(request, member.memberId));
    if (this.stateName === 'CompletingRebalance' && unchanged) return Promise.resolve(this.joinResult(member, member.memberId === this.leaderId));
    if (this.stateName === 'Stable' && unchanged && member.memberId !== this.leaderId) return Promise.resolve(this.joinResult(member, false));
    return this.awaitJoin(member, `${member.memberId} rejoined`);
  }

  private awaitJoin(member: Member, reason: string): Promise<JoinResult> {
    const { waiter: w, promise } = waiter<JoinResult>();
    member.joining?.reject(this.rebalancing());
    member.joining = w;
    if (this.stateName === 'PreparingRebalance') this.tryCompleteJoin();
    else this.prepareRebalance(reason);
    return promise;
  }

  private prepareRebalance(reason: string): void {
    this.host.logger.info('group.rebalance', { group: this.id, generation: this.generationId, reason });
    if (this.stateName === 'CompletingRebalance') {
      for (const member of this.members.values()) {
        member.syncing?.reject(this.rebalancing());
        member.syncing = null;
      }
    }
    for (const member of this.members.values()) this.release(member, this.rebalancing());
    this.stateName = 'PreparingRebalance';
    const longest = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    this.rebalanceDeadline = this.host.now() + longest;
    this.tryCompleteJoin();
  }

  private tryCompleteJoin(): void {
    if (this.stateName !== 'PreparingRebalance') return;
    for (const member of this.members.values()) if (!member.joining) return;
    this.completeJoin();
  }

  private completeJoin(): void {
    this.generationId++;
    const now = this.host.now();
    if (this.members.size === 0) {
      this.stateName = 'Empty';
      this.protocolName = '';
      this.leaderId = '';
      this.persistQuietly();
      return;
    }
    const members = [...this.members.values()];
    this.protocolTypeName = members[0].protocolType;
    this.protocolName = selectProtocol(members.map((m) => m.protocols));
    if (!this.members.has(this.leaderId)) this.leaderId = members[0].memberId;
    this.stateName = 'CompletingRebalance';
    for (const member of members) {
      member.assignment = EMPTY;
      member.sessionDeadline = now + member.sessionTimeoutMs;
      const joining = member.joining!;
      member.joining = null;
      joining.resolve(this.joinResult(member, member.memberId === this.leaderId));
    }
  }

  private completeSync(stored: StoredGroup): void {
    const generation = this.generationId;
    const byMember = new Map(stored.members.map((m) => [m.memberId, m.assignment]));
    this.host.persist(stored).then(
      () => {
        if (this.stateName !== 'CompletingRebalance' || this.generationId !== generation) return;
        for (const member of this.members.values()) member.assignment = byMember.get(member.memberId) ?? EMPTY;
        this.stateName = 'Stable';
        for (const member of this.members.values()) {
          member.syncing?.resolve(this.syncResult(member));
          member.syncing = null;
        }
      },
      (err: Error) => {
        if (this.stateName !== 'CompletingRebalance' || this.generationId !== generation) return;
        const failure = groupError('COORDINATOR_NOT_AVAILABLE', `group ${this.id}'s assignment was not stored: ${err.message}; rejoin`);
        for (const member of this.members.values()) {
          member.syncing?.reject(failure);
          member.syncing = null;
        }
        this.prepareRebalance('assignment not stored');
      },
    );
  }

  /** The membership the leader's assignment makes, checked before anyone waits on it. */
  private assignedGroup(assignments: SyncRequest['assignments']): StoredGroup {
    const byMember = new Map<string, Buffer>();
    for (const { memberId, assignment } of assignments) {
      if (!this.members.has(memberId)) throw groupError('UNKNOWN_MEMBER_ID', `the assignment names ${memberId}, not a member of generation ${this.generationId}`);
      if (byMember.has(memberId)) throw groupError('INVALID_REQUEST', `the assignment names ${memberId} twice`);
      this.host.checkAssignment(this.protocolTypeName, assignment);
      byMember.set(memberId, assignment);
    }
    const stored = this.snapshot();
    for (const m of stored.members) m.assignment = byMember.get(m.memberId) ?? EMPTY;
    this.host.checkStorable(stored);
    return stored;
  }

  /** Removes a member and starts (or finishes) the rebalance its absence calls for. */
  private remove(member: Member, reason: string): void {
    this.drop(member, reason);
    if (this.stateName === 'Stable' || this.stateName === 'CompletingRebalance') this.prepareRebalance(reason);
    else this.tryCompleteJoin();
  }

  private drop(member: Member, reason: string): void {
    this.members.delete(member.memberId);
    if (member.groupInstanceId && this.instances.get(member.groupInstanceId) === member.memberId) this.instances.delete(member.groupInstanceId);
    const gone = groupError('UNKNOWN_MEMBER_ID', `${member.memberId} is no longer in group ${this.id}: ${reason}`);
    member.joining?.reject(gone);
    member.syncing?.reject(gone);
    this.release(member, gone);
  }

  /** Answers the member's held heartbeat, if any: with `err`, or as kept. */
  private release(member: Member, err?: BrokerError): void {
    const held = member.held;
    member.held = null;
    if (err) held?.waiter.reject(err);
    else held?.waiter.resolve();
  }

  private add(member: Member): void {
    this.members.set(member.memberId, member);
    if (member.groupInstanceId) this.instances.set(member.groupInstanceId, member.memberId);
  }

  /** The member a request speaks for: UNKNOWN_MEMBER_ID if there is none, FENCED_INSTANCE_ID if its instance id now belongs to another. */
  private member(identity: MemberIdentity): Member {
    if (identity.groupInstanceId) {
      const current = this.instances.get(identity.groupInstanceId);
      if (current !== undefined && current !== identity.memberId) {
        throw groupError('FENCED_INSTANCE_ID', `instance ${identity.groupInstanceId} of group ${this.id} is now member ${current}, not ${identity.memberId}`);
      }
    }
    const member = this.members.get(identity.memberId);
    if (!member) throw groupError('UNKNOWN_MEMBER_ID', `${identity.memberId || '(no member id)'} is not a member of group ${this.id}; join again`);
    if (member.groupInstanceId !== identity.groupInstanceId) {
      throw groupError('FENCED_INSTANCE_ID', `member ${identity.memberId} of group ${this.id} has instance id ${JSON.stringify(member.groupInstanceId)}`);
    }
    return member;
  }

  private leavingMember(identity: MemberIdentity): Member {
    if (!identity.groupInstanceId) return this.member(identity);
    const current = this.instances.get(identity.groupInstanceId);
    if (current === undefined) throw groupError('UNKNOWN_MEMBER_ID', `no member of group ${this.id} has instance id ${identity.groupInstanceId}`);
    return this.member({ memberId: identity.memberId || current, groupInstanceId: identity.groupInstanceId });
  }

  private fromRequest(request: JoinRequest, memberId: string): Omit<StoredMember, 'assignment'> & { protocolType: string } {
    return {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      protocolType: request.protocolType,
    };
  }

  private joinResult(member: Member, asLeader: boolean): JoinResult {
    return {
      generation: this.generationId,
      protocolType: this.protocolTypeName,
      protocolName: this.protocolName,
      leader: this.leaderId,
      memberId: member.memberId,
      members: asLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
          }))
        : [],
    };
  }

  private syncResult(member: Member): SyncResult {
    return { protocolType: this.protocolTypeName, protocolName: this.protocolName, assignment: member.assignment };
  }

  private stored(m: Member): StoredMember {
    const { memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, protocols, assignment } = m;
    return { memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, protocols, assignment };
  }

  private snapshot(): StoredGroup {
    return {
      protocolType: this.protocolTypeName,
      generation: this.generationId,
      protocolName: this.protocolName,
      leader: this.leaderId,
      members: [...this.members.values()].map((m) => this.stored(m)),
    };
  }

  /** An emptied group's record is a courtesy to the next coordinator: if it is lost, the group reloads as it was and its sessions expire. */
  private persistQuietly(): void {
    this.host.persist(this.snapshot()).catch((err: Error) => this.host.logger.warn('group.empty_not_stored', { group: this.id, error: err.message }));
  }

  private illegalGeneration(generation: number): BrokerError {
    return groupError('ILLEGAL_GENERATION', `generation ${generation} is not group ${this.id}'s current generation ${this.generationId}; rejoin`);
  }

  private rebalancing(): BrokerError {
    return groupError('REBALANCE_IN_PROGRESS', `group ${this.id} is rebalancing; rejoin`);
  }
}
