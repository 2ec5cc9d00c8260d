import * as grpc from '@grpc/grpc-js';
import { FLOW_CONTROL_WINDOW_BYTES, services } from '@gregor/proto';
import type { BrokerAddresses } from '../cluster/cluster-config';
import { membersOnly } from '../cluster/peer-identity';
import { raiseReceiveWindows } from '../receive-windows';
import { adminService } from '../services/admin-service';
import { groupsService } from '../services/groups-service';
import { healthService } from '../services/health-service';
import { logService, logServiceDefinition } from '../services/log-service';
import { rejectUndecodable, strictRequests } from '../strict-requests/strict-services';

/**
 * A broker joining the cluster is no member until its first heartbeat registers it: a heartbeat
 * naming its caller and where that caller's peer service listens is let through, and checks the
 * rest of its claim itself.
 */
const JOIN_METHODS = {
  Heartbeat: (claimed: number, request: unknown): boolean => {
    const heartbeat = request as { brokerId?: number; peerAddress?: string } | undefined;
    return heartbeat?.brokerId === claimed && typeof heartbeat.peerAddress === 'string' && heartbeat.peerAddress !== '';
  },
};
import { lateBound } from './late-bound';
import type { StartingContext } from './starting-context';

/** Room for protobuf framing around a max-size batch. */
const MESSAGE_OVERHEAD_BYTES = 64 * 1024;

function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/**
 * The broker's two gRPC listeners: the gregor.v1 services and grpc.health.v1 on the client port,
 * and the peer service on a port of its own, so that it can be locked down apart from clients;
 * it answers only callers naming one of the cluster's broker ids.
 */
export class BrokerListeners {
  private readonly client: grpc.Server;
  private readonly peer: grpc.Server;
  port: number;
  peerPort: number;

  constructor(private readonly ctx: StartingContext) {
    const serverOptions = {
      'grpc.max_receive_message_length': ctx.config.maxRequestBytes + MESSAGE_OVERHEAD_BYTES,
      'grpc.max_send_message_length': -1,
      interceptors: [rejectUndecodable],
    };
    this.client = new grpc.Server(serverOptions);
    this.peer = new grpc.Server(serverOptions);
    this.port = ctx.config.port;
    this.peerPort = ctx.config.peerPort;
    this.client.addService(strictRequests(logServiceDefinition()), logService(ctx));
    this.client.addService(strictRequests(services.Admin.service), adminService(ctx));
    this.client.addService(strictRequests(services.Groups.service), groupsService(ctx));
    this.client.addService(strictRequests(services.Health.service), healthService(ctx));
    const isMember = (id: number): boolean => ctx.isMember(id);
    this.peer.addService(strictRequests(services.Peer.service), membersOnly(lateBound(Object.keys(services.Peer.service), () => ctx.opened.peerHandlers), isMember, JOIN_METHODS));
    // Group calls forwarded to the coordinator; the coordinator answers them itself.
    this.peer.addService(strictRequests(services.Groups.service), membersOnly(groupsService(ctx), isMember));
  }

  /** Binds both ports; resolves with the addresses this broker is reached at. */
  async bind(): Promise<BrokerAddresses> {
    const { config, logger } = this.ctx;
    this.port = await bind(this.client, `${config.host}:${config.port}`);
    this.peerPort = await bind(this.peer, `${config.host}:${config.peerPort}`);
    if (!raiseReceiveWindows(this.client, FLOW_CONTROL_WINDOW_BYTES) || !raiseReceiveWindows(this.peer, FLOW_CONTROL_WINDOW_BYTES)) {
      logger.warn('broker.default_receive_windows', { reason: 'grpc-js no longer exposes its HTTP/2 servers' });
    }
    return { client: config.advertisedAddress || `${config.host}:${this.port}`, peer: `${config.host}:${this.peerPort}` };
  }

  /** Refuses new calls and lets in-flight ones finish; calls still running after shutdownTimeoutMs are cut. */
  async shutdown(): Promise<void> {
    await Promise.all([this.client, this.peer].map((server) => this.shutdownServer(server)));
  }

  forceShutdown(): void {
    this.client.forceShutdown();
    this.peer.forceShutdown();
  }

  private shutdownServer(server: grpc.Server): Promise<void> {
    const { config, logger } = this.ctx;
    return new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        logger.warn('broker.forced_shutdown', { timeoutMs: config.shutdownTimeoutMs });
        server.forceShutdown();
        resolve();
      }, config.shutdownTimeoutMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
