import * as grpc from '@grpc/grpc-js';
import type {
  CommitOffsetsRequest,
  CommittedOffset,
  GroupProtocol,
  GroupState,
  MemberHeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@gregor/proto';
import { GregorError } from '../../../src/errors';
import type { GroupRpc } from '../../../src/consumer/group-rpc';

type Method = keyof GroupRpc;

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface Member {
  id: string;
  instanceId: string;
  protocols: GroupProtocol[];
  join: Pending<JoinGroupResponse> | null;
  sync: Pending<SyncGroupResponse> | null;
  assignment: Buffer;
}

const refuse = (reason: string): GregorError => new GregorError(grpc.status.FAILED_PRECONDITION, reason, { reason });

/**
 * One group's coordinator as Kafka runs it, in memory: a join completes once every known member
 * has joined, the leader's SyncGroup hands out the assignment, heartbeats answer
 * REBALANCE_IN_PROGRESS while members are being gathered. Calls are logged, and a test can make
 * the next call of a method fail with a reason.
 */
export class FakeCoordinator {
  state: GroupState = 'Empty';
  generation = 0;
  leader = '';
  protocol = '';
  readonly members = new Map<string, Member>();
  readonly log: Array<{ method: Method; memberId: string; request: object }> = [];
  readonly commits: CommittedOffset[] = [];
  private readonly failures: Array<{ method: Method; reason: string }> = [];
  private nextId = 1;
  /** How long a heartbeat is held before its answer, as a coordinator holding heartbeats would. */
  private heartbeatHold: ((request: MemberHeartbeatRequest) => Promise<void>) | null = null;

  /** What a member calls. */
  rpc(): GroupRpc {
    return {
      join: (request) => this.call('join', request.memberId, request, () => this.join(request)),
      sync: (request) => this.call('sync', request.memberId, request, () => this.sync(request)),
      heartbeat: (request) => this.call('heartbeat', request.memberId, request, () => this.heartbeat(request)),
      leave: (request) => this.call('leave', request.members[0]?.memberId ?? '', request, () => this.leave(request)),
      commit: (request) => this.call('commit', request.memberId ?? '', request, () => this.commit(request)),
    };
  }

  failNext(method: Method, reason: string): void {
    this.failures.push({ method, reason });
  }

  holdHeartbeats(hold: (request: MemberHeartbeatRequest) => Promise<void>): void {
    this.heartbeatHold = hold;
  }

  /** The session timeout of a member ran out. */
  expire(memberId: string): void {
    this.remove(memberId);
  }

  calls(method: Method, memberId?: string): number {
    return this.log.filter((c) => c.method === method && (memberId === undefined || c.memberId === memberId)).length;
  }

  private async call<T>(method: Method, memberId: string, request: object, run: () => T | Promise<T>): Promise<T> {
    this.log.push({ method, memberId, request });
    const failure = this.failures.findIndex((f) => f.method === method);
    if (failure >= 0) throw refuse(this.failures.splice(failure, 1)[0].reason);
    return run();
  }

  private join(request: JoinGroupRequest): Promise<JoinGroupResponse> {
    let member = this.members.get(request.memberId);
    if (request.memberId && !member) throw refuse('UNKNOWN_MEMBER_ID');
    if (!member) {
      member = { id: `member-${this.nextId++}`, instanceId: request.groupInstanceId ?? '', protocols: [], join: null, sync: null, assignment: Buffer.alloc(0) };
      this.members.set(member.id, member);
    }
    member.protocols = request.protocols;
    const joining = member;
    return new Promise((resolve, reject) => {
      joining.join = { resolve, reject };
      this.prepareRebalance();
      this.maybeCompleteJoin();
    });
  }

  private sync(request: SyncGroupRequest): SyncGroupResponse | Promise<SyncGroupResponse> {
    const member = this.known(request.memberId);
    if (request.generation !== this.generation) throw refuse('ILLEGAL_GENERATION');
    if (this.state === 'PreparingRebalance') throw refuse('REBALANCE_IN_PROGRESS');
    const answer = (): SyncGroupResponse => ({ protocolType: 'consumer', protocolName: this.protocol, assignment: member.assignment });
    if (this.state === 'Stable') return answer();
    if (request.memberId === this.leader) {
      for (const m of this.members.values()) m.assignment = request.assignments.find((a) => a.memberId === m.id)?.assignment ?? Buffer.alloc(0);
      this.state = 'Stable';
      for (const m of this.members.values()) {
        m.sync?.resolve({ protocolType: 'consumer', protocolName: this.protocol, assignment: m.assignment });
        m.sync = null;
      }
      return answer();
    }
    return new Promise((resolve, reject) => (member.sync = { resolve, reject }));
  }

  private async heartbeat(request: MemberHeartbeatRequest): Promise<void> {
    this.known(request.memberId);
    if (request.generation !== this.generation) throw refuse('ILLEGAL_GENERATION');
    if (this.state === 'PreparingRebalance') throw refuse('REBALANCE_IN_PROGRESS');
    await this.heartbeatHold?.(request);
  }

  private leave(request: LeaveGroupRequest): void {
    for (const m of request.members) {
      this.known(m.memberId);
      this.remove(m.memberId);
    }
  }

  private commit(request: CommitOffsetsRequest): void {
    if (request.memberId) {
      this.known(request.memberId);
      if (request.generation !== this.generation) throw refuse('ILLEGAL_GENERATION');
      if (this.state === 'CompletingRebalance') throw refuse('REBALANCE_IN_PROGRESS');
    } else if (this.members.size > 0) {
      throw refuse('UNKNOWN_MEMBER_ID');
    }
    this.commits.push(...request.offsets);
  }

  private known(memberId: string): Member {
    const member = this.members.get(memberId);
    if (!member) throw refuse('UNKNOWN_MEMBER_ID');
    return member;
  }

  private remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.members.delete(memberId);
    member.join?.reject(refuse('UNKNOWN_MEMBER_ID'));
    member.sync?.reject(refuse('UNKNOWN_MEMBER_ID'));
    if (this.members.size === 0) {
      this.state = 'Empty';
      return;
    }
    this.prepareRebalance();
    this.maybeCompleteJoin();
  }

  private prepareRebalance(): void {
    if (this.state === 'PreparingRebalance') return;
    this.state = 'PreparingRebalance';
    for (const m of this.members.values()) {
      m.sync?.reject(refuse('REBALANCE_IN_PROGRESS'));
      m.sync = null;
    }
  }

  private maybeCompleteJoin(): void {
    const members = [...this.members.values()];
    if (this.state !== 'PreparingRebalance' || !members.every((m) => m.join)) return;
    this.generation++;
    this.state = 'CompletingRebalance';
    if (!this.members.has(this.leader)) this.leader = members[0].id;
    const leader = this.members.get(this.leader)!;
    this.protocol = leader.protocols.map((p) => p.name).find((name) => members.every((m) => m.protocols.some((p) => p.name === name))) ?? '';
    for (const m of members) {
      const isLeader = m.id === this.leader;
      m.join!.resolve({
        generation: this.generation,
        protocolType: 'consumer',
        protocolName: this.protocol,
        leader: this.leader,
        memberId: m.id,
        members: isLeader ? members.map((o) => ({ memberId: o.id, groupInstanceId: o.instanceId, metadata: o.protocols.find((p) => p.name === this.protocol)!.metadata })) : [],
      });
      m.join = null;
    }
  }
}
