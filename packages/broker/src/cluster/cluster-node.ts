import * as crypto from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { PartitionLog } from '@gregor/storage';
import { BrokerError } from '../errors';
import { errorFields, type Logger } from '../logger';
import type { ClusterState } from '../controller/cluster-state';
import type { Controller } from '../controller/controller';
import type { MetadataCommand } from '../controller/metadata-commands';
import { PeerTransport } from '../replication/peer-transport';
import { RaftGroups } from '../replication/raft-groups';
import type { ReplicaFactory } from '../replication/replica-factory';
import type { ReplicatedPartition } from '../replication/replicated-partition';
import { BrokerHeartbeats } from './broker-heartbeats';
import type { Ticker } from '../replication/ticker';
import type { ClusterTopology } from './cluster-config';
import { HostedReplicas, type ReplicaPlacement } from './hosted-replicas';
import { forwardToController } from './metadata-forwarding';
import { openController } from './open-controller';
import { PeerClients } from './peer-clients';
import { peerService } from './peer-service';
import { restorePreferredLeaders } from './preferred-leaders';
import { driveReassignments } from '../reassignment/reassignment-driver';
import { maintainMetadataMembership } from './metadata-membership';

export type { ReplicaPlacement } from './hosted-replicas';

/** How often a partition leader takes the next step of a move: each step waits for a Raft commit anyway. */
const REASSIGNMENT_STEP_MS = 100;

export interface ClusterNodeOptions {
  topology: ClusterTopology;
  /** How clients and peers reach this broker. */
  advertisedAddress: string;
  /** The rack this broker declares (--rack), for rack-aware placement; empty for none. */
  rack: string;
  /** Front-end listeners (host:port) by name, advertised to the cluster. */
  listeners: Record<string, string>;
  metadataDir: string;
  state: ClusterState;
  logger: Logger;
  random: () => number;
  /** Drives Raft ticks, broker heartbeats and liveness checks, and is the time liveness reads. */
  ticker: Ticker;
  /** One Raft tick; elections take electionTick to 2*electionTick ticks. */
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
  brokerHeartbeatMs: number;
  brokerSessionTimeoutMs: number;
  /** How often leaders hand leadership back to their partition's preferred replica (the first listed). */
  preferredLeaderCheckMs: number;
  createReplica: ReplicaFactory;
}

/**
 * What makes a broker a cluster member, composed: the peer transport and clients, the Raft groups
 * it hosts (all ticked by one timer), its replica of the metadata log, the heartbeats that keep it
 * registered, and the leader balancing of its partitions. A broker started without peers is a
 * cluster of one.
 */
export class ClusterNode {
  readonly clients: PeerClients;
  readonly transport: PeerTransport;
  readonly groups: RaftGroups;
  private readonly hosted: HostedReplicas;
  private readonly heartbeats: BrokerHeartbeats;
  private stopTimers: Array<() => void> = [];
  controller!: Controller;

  private constructor(private readonly options: ClusterNodeOptions) {
    this.clients = new PeerClients((id) => this.peerAddressOf(id), options.topology.brokerId);
    this.groups = new RaftGroups(options.tickMs, options.ticker);
    this.transport = new PeerTransport({
      brokerId: this.brokerId,
      clients: this.clients,
      deliver: (group, message) => this.groups.deliver(group, message),
      reportSnapshot: (group, to, sent) => this.groups.reportSnapshot(group, to, sent),
      logger: options.logger,
    });
    const propose = (command: MetadataCommand): void => this.proposeInBackground(command);
    this.hosted = new HostedReplicas({
      brokerId: this.brokerId,
      groups: this.groups,
      transport: this.transport,
      random: options.random,
      electionTick: options.electionTick,
      heartbeatTick: options.heartbeatTick,
      createReplica: options.createReplica,
      addressOf: (id) => this.addressOf(id),
      propose,
    });
    this.heartbeats = new BrokerHeartbeats({
      brokerId: this.brokerId,
      self: {
        brokerId: this.brokerId,
        address: options.advertisedAddress,
        peerAddress: options.topology.peers.get(options.topology.brokerId)?.peer ?? '',
        rack: options.rack,
        listeners: options.listeners,
      },
      intervalMs: options.brokerHeartbeatMs,
      sessionTimeoutMs: options.brokerSessionTimeoutMs,
      state: options.state,
      ticker: options.ticker,
      clients: this.clients,
      controller: () => this.controller,
      propose,
      logger: options.logger,
    });
  }

  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const node = new ClusterNode(options);
    const { topology } = options;
    node.controller = await openController(options, {
      transport: node.transport,
      forward: (leader, command) => forwardToController(node.clients, leader, command),
      onLeading: () => node.leadCluster(),
    });
    node.groups.add(node.controller.replica);
    if (topology.controllers.length === 1 && topology.controllers[0] === topology.brokerId) node.controller.replica.campaign();
    node.groups.start();
    node.heartbeats.start();
    node.stopTimers.push(
      options.ticker.every(options.preferredLeaderCheckMs, () => restorePreferredLeaders(node.brokerId, node.hosted, node.state)),
      options.ticker.every(REASSIGNMENT_STEP_MS, () => driveReassignments(node.hosted, (command) => node.proposeInBackground(command), options.logger)),
      options.ticker.every(options.brokerHeartbeatMs, () => node.controller.isLeader && maintainMetadataMembership(node.controller.replica, node.state, (command) => node.proposeInBackground(command))),
      options.ticker.every(options.brokerHeartbeatMs, () => node.controller.leaderId > 0 && node.hosted.reportUnrecordedLeaders((topicId, partition) => node.state.assignment(topicId, partition))),
    );
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
    return this.state.broker(id)?.address ?? this.options.topology.peers.get(id)?.client;
  }

  /** Where this broker reaches broker `id`'s peer service: as --peers or --join gave it, else as it registered. */
  peerAddressOf(id: number): string | undefined {
    return this.options.topology.peers.get(id)?.peer ?? this.state.broker(id)?.peerAddress;
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

  openReplica(placement: ReplicaPlacement, log: PartitionLog, dir: string, onHighWatermark: (hw: number) => void): ReplicatedPartition {
    return this.hosted.open(placement, log, dir, onHighWatermark);
  }

  updatePlacement(replica: ReplicatedPartition, placement: ReplicaPlacement): void {
    this.hosted.update(replica.group, placement);
  }

  closeReplica(replica: ReplicatedPartition): void {
    this.hosted.close(replica);
  }

  /** The Raft view of every partition replica hosted here. */
  replicaStates(): object[] {
    return this.hosted.states();
  }

  /** Handlers of the Peer service, registered on the broker's peer listener. */
  peerService(): grpc.UntypedServiceImplementation {
    return peerService({
      transport: this.transport,
      controller: this.controller,
      heartbeats: this.heartbeats,
      hosted: this.hosted,
      registered: (id) => this.state.broker(id),
    });
  }

  /** Controller leadership moved here: a new cluster gets its id, and this broker registers at once. */
  private leadCluster(): void {
    this.heartbeats.resetSessions();
    setImmediate(() => {
      if (!this.state.clusterId) this.proposeInBackground({ type: 'initCluster', clusterId: crypto.randomUUID() });
      this.heartbeats.send();
    });
  }

  private proposeInBackground(command: MetadataCommand): void {
    this.controller.propose(command).catch((err: unknown) => this.options.logger.debug('metadata.propose_failed', { command: command.type, ...errorFields(err) }));
  }

  async stop(): Promise<void> {
    this.heartbeats.stop();
    for (const stop of this.stopTimers) stop();
    this.groups.stop();
    await this.controller.close();
    this.transport.close();
    this.clients.close();
  }
}
