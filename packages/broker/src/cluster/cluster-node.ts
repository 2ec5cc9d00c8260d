import * as crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Role } from '@gregor/raft';
import type { PartitionLog } from '@gregor/storage';
import { BrokerError, toStatus } from '../errors';
import { errorFields, type Logger } from '../logger';
import { BrokerLiveness } from '../controller/broker-liveness';
import { ClusterState } from '../controller/cluster-state';
import { Controller, METADATA_GROUP } from '../controller/controller';
import { CommandResult, MetadataCommand, parseCommand } from '../controller/metadata-commands';
import { PeerTransport } from '../replication/peer-transport';
import { RaftGroups } from '../replication/raft-groups';
import { ReplicaStateStore } from '../replication/replica-state-store';
import { ReplicatedPartition } from '../replication/replicated-partition';
import type { ClusterTopology } from './cluster-config';
import { PeerClients } from './peer-clients';

export interface ClusterNodeOptions {
  topology: ClusterTopology;
  /** How clients and peers reach this broker. */
  advertisedAddress: string;
  metadataDir: string;
  state: ClusterState;
  logger: Logger;
  random: () => number;
  /** One Raft tick; elections take electionTick to 2*electionTick ticks. */
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
  brokerHeartbeatMs: number;
  brokerSessionTimeoutMs: number;
  /** How often leaders hand leadership back to their partition's preferred replica (the first listed). */
  preferredLeaderCheckMs: number;
  /** TEST-ONLY: acks=all answered before a majority holds the batch, to show the chaos checker catches it. */
  unsafeAckBeforeReplication: boolean;
}

export interface ReplicaPlacement {
  topic: string;
  topicId: string;
  partition: number;
  replicas: readonly number[];
}

const PEER_CALL_TIMEOUT_MS = 5000;

/**
 * What makes a broker a cluster member: the peer transport and clients, the Raft groups it
 * hosts (all ticked by one timer), its replica of the metadata log, and the heartbeats that
 * keep it registered. A broker started without peers is a cluster of one.
 */
export class ClusterNode {
  readonly clients: PeerClients;
  readonly transport: PeerTransport;
  readonly groups: RaftGroups;
  readonly liveness: BrokerLiveness;
  private readonly placements = new Map<string, ReplicaPlacement>();
  private timers: NodeJS.Timeout[] = [];
  controller!: Controller;

  private constructor(private readonly options: ClusterNodeOptions) {
    this.clients = new PeerClients(options.topology.peers);
    this.groups = new RaftGroups(options.tickMs);
    this.transport = new PeerTransport({
      brokerId: this.brokerId,
      clients: this.clients,
      deliver: (group, message) => this.groups.deliver(group, message),
      logger: options.logger,
    });
    this.liveness = new BrokerLiveness({
      sessionTimeoutMs: options.brokerSessionTimeoutMs,
      now: () => Date.now(),
      brokers: () => this.state.brokers(),
      propose: (command) => this.proposeInBackground(command),
    });
  }

  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const node = new ClusterNode(options);
    const { topology } = options;
    node.controller = await Controller.open({
      brokerId: topology.brokerId,
      voters: topology.controllers,
      learners: [...topology.peers.keys()].filter((id) => !topology.controllers.includes(id)),
      dir: options.metadataDir,
      state: options.state,
      transport: node.transport,
      random: options.random,
      electionTick: options.electionTick,
      heartbeatTick: options.heartbeatTick,
      forward: (leader, command) => node.forward(leader, command),
      logger: options.logger,
      onLeaderChange: (_leader, role) => {
        if (role !== 'leader') return;
        node.liveness.reset();
        setImmediate(() => {
          if (!node.state.clusterId) node.proposeInBackground({ type: 'initCluster', clusterId: crypto.randomUUID() });
          node.sendHeartbeat();
        });
      },
    });
    node.groups.add(node.controller.replica);
    if (topology.controllers.length === 1 && topology.controllers[0] === topology.brokerId) node.controller.replica.campaign();
    node.groups.start();
    node.timers.push(setInterval(() => node.sendHeartbeat(), options.brokerHeartbeatMs));
    node.timers.push(setInterval(() => node.controller.isLeader && node.liveness.check(), options.brokerHeartbeatMs));
    node.timers.push(setInterval(() => node.restorePreferredLeaders(), options.preferredLeaderCheckMs));
    node.sendHeartbeat();
    return node;
  }

  get brokerId(): number {
    return this.options.topology.brokerId;
  }

  get state(): ClusterState {
    return this.options.state;
  }

  /** Where clients reach broker `id`: its registered address, else the one in --peers. */
  addressOf(id: number): string | undefined {
    return this.state.broker(id)?.address ?? this.options.topology.peers.get(id);
  }

  /** Runs a metadata command and turns a failed result into a typed error. */
  async propose(command: MetadataCommand): Promise<number | undefined> {
    const result = await this.controller.propose(command);
    if (!result.ok) throw new BrokerError(result.code as never, result.message);
    return result.value;
  }

  /** Waits until this broker's copy of the metadata satisfies `ready`, or the deadline passes. */
  async awaitMetadata(ready: () => boolean, timeoutMs: number): Promise<void> {
    if (ready()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new BrokerError('LEADER_NOT_AVAILABLE', 'the cluster metadata did not reach this broker in time; retry'));
      }, timeoutMs);
      const unsubscribe = this.state.onChange(() => {
        if (!ready()) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
    });
  }

  /**
   * Starts this broker's replica of one partition. A replica that is its partition's preferred
   * leader campaigns at once, so new topics and restarted clusters get leaders without waiting
   * out an election timeout.
   */
  openReplica(
    placement: ReplicaPlacement,
    log: PartitionLog,
    dir: string,
    onHighWatermark: (hw: number) => void,
  ): ReplicatedPartition {
    const group = `${placement.topicId}/${placement.partition}`;
    const state = ReplicaStateStore.open(dir, {
      lastIndex: log.logStartOffset,
      term: 0,
      config: { voters: [...placement.replicas].sort((a, b) => a - b), learners: [] },
    });
    const replica = new ReplicatedPartition({
      group,
      brokerId: this.brokerId,
      log,
      state,
      transport: this.transport,
      random: this.options.random,
      electionTick: this.options.electionTick,
      heartbeatTick: this.options.heartbeatTick,
      onHighWatermark,
      onLeaderChange: (leader, role) => this.reportLeader(placement, replica, leader, role),
      unsafeAckBeforeReplication: this.options.unsafeAckBeforeReplication,
    });
    this.placements.set(group, placement);
    this.groups.add(replica);
    if (placement.replicas[0] === this.brokerId) replica.campaign();
    return replica;
  }

  closeReplica(replica: ReplicatedPartition): void {
    this.groups.remove(replica.group);
    this.placements.delete(replica.group);
  }

  /**
   * Leaders spread evenly only while each partition is led by its preferred replica, so a leader
   * that is not hands over to it once that broker is alive again (Raft waits until it caught up).
   */
  private restorePreferredLeaders(): void {
    for (const replica of this.groups.all()) {
      const placement = this.placements.get(replica.group);
      if (!placement || !replica.isLeader) continue;
      const preferred = placement.replicas[0];
      if (preferred === this.brokerId) continue;
      const broker = this.state.broker(preferred);
      const progress = replica.node.raft.tracker.progress.get(preferred);
      // A transfer pauses proposals until the target wins; only hand over to a replica that is caught up and answering.
      const caughtUp = progress !== undefined && progress.recentActive && progress.match >= replica.node.raft.log.lastIndex();
      if (broker && !broker.fenced && caughtUp) replica.node.transferLeadership(preferred);
    }
  }

  private reportLeader(placement: ReplicaPlacement, replica: ReplicatedPartition, leader: number, role: Role): void {
    if (role !== 'leader' || leader !== this.brokerId) return;
    const term = replica.node.status().term;
    this.proposeInBackground({ type: 'partitionLeader', topicId: placement.topicId, partition: placement.partition, leader, term });
  }

  private proposeInBackground(command: MetadataCommand): void {
    this.controller.propose(command).catch((err: unknown) => this.options.logger.debug('metadata.propose_failed', { command: command.type, ...errorFields(err) }));
  }

  private async forward(leader: number, command: MetadataCommand): Promise<CommandResult> {
    try {
      const response = await this.clients.call<{ command: string }, { result: string }>(leader, 'propose', { command: JSON.stringify(command) }, PEER_CALL_TIMEOUT_MS);
      return JSON.parse(response.result) as CommandResult;
    } catch (err) {
      throw new BrokerError('LEADER_NOT_AVAILABLE', `the controller leader (broker ${leader}) did not answer: ${(err as Error).message}`);
    }
  }

  private sendHeartbeat(): void {
    const address = this.options.advertisedAddress;
    if (this.controller.isLeader) {
      this.liveness.heartbeat(this.brokerId, address);
      return;
    }
    const leader = this.controller.leaderId;
    if (leader === 0) return;
    this.clients
      .call(leader, 'heartbeat', { brokerId: this.brokerId, address }, this.options.brokerHeartbeatMs)
      .catch((err: unknown) => this.options.logger.debug('heartbeat.failed', { leader, ...errorFields(err) }));
  }

  /** Handlers of the Peer service, registered on the broker's gRPC server. */
  peerService(): grpc.UntypedServiceImplementation {
    const unary =
      <Req, Res>(handle: (request: Req) => Promise<Res> | Res) =>
      (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
        Promise.resolve()
          .then(() => handle(call.request))
          .then(
            (response) => callback(null, response),
            (err: unknown) => {
              const status = toStatus(err);
              callback({ code: status.code, details: status.details });
            },
          );
      };
    return {
      Stream: this.transport.handleStream,
      Propose: unary<{ command: string }, { result: string }>(async ({ command }) => {
        const parsed = parseCommand(command);
        if (!parsed) throw new BrokerError('INVALID_REQUEST', 'not a metadata command');
        return { result: JSON.stringify(await this.controller.proposeLocally(parsed)) };
      }),
      Heartbeat: unary<{ brokerId: number; address: string }, object>(({ brokerId, address }) => {
        // A heartbeat registers the address clients are sent to: a stray one must not move a broker.
        if (!this.options.topology.peers.has(brokerId)) throw new BrokerError('INVALID_REQUEST', `heartbeat from broker ${brokerId}, which is not in --peers`);
        if (!/^[^:\s].*:([1-9]\d{0,4})$/.test(address) || Number(address.slice(address.lastIndexOf(':') + 1)) > 65535) {
          throw new BrokerError('INVALID_REQUEST', `heartbeat from broker ${brokerId} with address ${JSON.stringify(address)}, not host:port`);
        }
        if (!this.controller.isLeader) throw this.controller.replica.notLeader();
        this.liveness.heartbeat(brokerId, address);
        return {};
      }),
      ReplicaStatus: unary(() => ({ replicas: this.replicaStates() })),
    };
  }

  /** The Raft view of every partition replica hosted here. */
  replicaStates(): object[] {
    const states: object[] = [];
    for (const replica of this.groups.all()) {
      const placement = this.placements.get(replica.group);
      if (!placement || replica.group === METADATA_GROUP) continue;
      const status = replica.node.status();
      states.push({
        topic: placement.topic,
        partition: placement.partition,
        brokerId: this.brokerId,
        role: status.role,
        leader: status.leader,
        term: status.term,
        logStartOffset: replica.logStartOffset,
        logEndOffset: replica.logEndOffset,
        highWatermark: replica.highWatermark,
      });
    }
    return states;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.groups.stop();
    await this.controller.close();
    this.transport.close();
    this.clients.close();
  }
}
