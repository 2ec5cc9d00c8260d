import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { services } from '@gregor/proto';
import type { Message } from '@gregor/raft';
import type { PartitionLog } from '@gregor/storage';
import { PeerClients } from '../../src/cluster/peer-clients';
import type { BrokerAddresses } from '../../src/cluster/cluster-config';
import { silentLogger } from '../../src/logger';
import { PeerTransport } from '../../src/replication/peer-transport';
import { RaftGroups } from '../../src/replication/raft-groups';
import type { RaftTransport } from '../../src/replication/raft-transport';
import type { ReplicatedPartition } from '../../src/replication/replicated-partition';
import { openReplica } from './harness';
import { OnVirtualTime, TICK_MS } from './virtual-time';

interface Member {
  server: grpc.Server;
  clients: PeerClients;
  transport: PeerTransport;
  groups: RaftGroups;
  log: PartitionLog;
  replica: ReplicatedPartition;
}

/** Decides, as a message arrives at broker `at`, whether the network lost it. */
export type Loss = (at: number, message: Message) => boolean;

/**
 * Replicas of one partition in this process, each with the broker's own peer transport over
 * loopback gRPC and wired as ClusterNode wires it, its RaftGroups ticking on virtual time (see
 * OnVirtualTime); `loss` drops messages on arrival, as a network would after the sender's
 * transport handed them over.
 */
export class PeerCluster extends OnVirtualTime {
  readonly members = new Map<number, Member>();
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-peer-cluster-'));
  loss: Loss = () => false;
  /** Messages replicas handed to their transports, and messages that reached a broker (lost or not). */
  private sent = 0;
  private arrived = 0;

  constructor(
    readonly ids: number[],
    seed: number,
  ) {
    super(seed);
  }

  async start(): Promise<void> {
    const servers = new Map<number, grpc.Server>();
    const addresses = new Map<number, BrokerAddresses>();
    for (const id of this.ids) {
      const server = new grpc.Server();
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
      );
      servers.set(id, server);
      addresses.set(id, { client: `127.0.0.1:${port}`, peer: `127.0.0.1:${port}` });
    }
    for (const id of this.ids) {
      const groups = new RaftGroups(TICK_MS, this.clock);
      const clients = new PeerClients((peer) => addresses.get(peer)?.peer, id);
      const transport = new PeerTransport({
        brokerId: id,
        clients,
        deliver: (group, message) => {
          this.arrived++;
          if (!this.loss(id, message)) groups.deliver(group, message);
        },
        reportSnapshot: (group, to, sent) => groups.reportSnapshot(group, to, sent),
        logger: silentLogger,
      });
      const counted: RaftTransport = {
        send: (group, messages) => {
          this.sent += messages.length;
          transport.send(group, messages);
        },
      };
      // Small segments, so retention can move the log start past a follower.
      const { log, replica } = await openReplica(this, id, counted, { segmentBytes: 1024 });
      groups.add(replica);
      const server = servers.get(id)!;
      server.addService(services.Peer.service, { Stream: transport.handleStream });
      this.members.set(id, { server, clients, transport, groups, log, replica });
    }
    for (const member of this.members.values()) member.groups.start();
  }

  protected inFlight(): number {
    return this.sent - this.arrived;
  }

  protected *running(): Iterable<ReplicatedPartition> {
    for (const member of this.members.values()) yield member.replica;
  }

  member(id: number): Member {
    const member = this.members.get(id);
    if (!member) throw new Error(`no broker ${id}`);
    return member;
  }

  /** Has broker `id` campaign and waits until it leads. */
  async elect(id: number): Promise<Member> {
    const leader = this.member(id);
    leader.replica.campaign();
    await this.until(() => leader.replica.isLeader, `broker ${id} to lead`);
    return leader;
  }

  async close(): Promise<void> {
    for (const { server, clients, transport, groups, log, replica } of this.members.values()) {
      groups.stop();
      transport.endInbound();
      transport.close();
      clients.close();
      server.forceShutdown();
      replica.close();
      await log.close();
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
