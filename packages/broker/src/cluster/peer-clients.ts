import * as grpc from '@grpc/grpc-js';
import { CLIENT_FLOW_CONTROL_OPTIONS, services } from '@gregor/proto';
import { identifyAs } from './peer-identity';

type PeerListenerService = 'Peer' | 'Groups';
type PeerMethod = 'propose' | 'heartbeat' | 'replicaStatus';
export type ForwardedGroupsMethod =
  | 'JoinGroup'
  | 'SyncGroup'
  | 'Heartbeat'
  | 'LeaveGroup'
  | 'DescribeGroups'
  | 'ListGroups'
  | 'DeleteGroups'
  | 'CommitOffsets'
  | 'FetchOffsets';
type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response: Res) => void) => void;

/**
 * Every call this broker makes to another broker's peer port: one gRPC client per peer and
 * service, shared by the Raft transport, the controller calls and the forwarded group calls.
 * Each call names this broker.
 */
export class PeerClients {
  private readonly clients = new Map<string, grpc.Client>();

  constructor(
    /** Where broker `id`'s peer service listens, looked up at a client's first use. */
    private readonly peerAddressOf: (id: number) => string | undefined,
    private readonly brokerId: number,
  ) {}

  /** The Peer service client of broker `peer`, null when its address is unknown. */
  get(peer: number): grpc.Client | null {
    return this.client('Peer', peer);
  }

  /** A unary Peer call with a deadline. */
  call<Req, Res>(peer: number, method: PeerMethod, request: Req, timeoutMs: number): Promise<Res> {
    return this.unary<Req, Res>('Peer', peer, method, request, new grpc.Metadata(), timeoutMs);
  }

  /** A Groups call forwarded to broker `peer`, with a deadline. */
  forwardGroups<Res>(peer: number, method: ForwardedGroupsMethod, request: object, metadata: grpc.Metadata, timeoutMs: number): Promise<Res> {
    return this.unary<object, Res>('Groups', peer, method, request, metadata, timeoutMs);
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private unary<Req, Res>(service: PeerListenerService, peer: number, method: string, request: Req, metadata: grpc.Metadata, timeoutMs: number): Promise<Res> {
    const client = this.client(service, peer);
    if (!client) return Promise.reject(new Error(`no address for broker ${peer}`));
    return new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, UnaryMethod<Req, Res>>)[method];
      fn.call(client, request, metadata, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  private client(service: PeerListenerService, peer: number): grpc.Client | null {
    const key = `${service} ${peer}`;
    const existing = this.clients.get(key);
    if (existing) return existing;
    const address = this.peerAddressOf(peer);
    if (!address) return null;
    const client = new services[service](address, grpc.credentials.createInsecure(), {
      interceptors: [identifyAs(this.brokerId)],
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
      ...CLIENT_FLOW_CONTROL_OPTIONS,
    });
    this.clients.set(key, client);
    return client;
  }
}
