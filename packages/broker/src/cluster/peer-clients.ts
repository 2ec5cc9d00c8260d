import * as grpc from '@grpc/grpc-js';
import { CLIENT_FLOW_CONTROL_OPTIONS, services } from '@gregor/proto';
import type { BrokerAddresses } from './cluster-config';
import { identifyAs } from './peer-identity';

/** One gRPC client per peer broker's peer port, shared by the Raft transport and the controller calls; each call names this broker. */
export class PeerClients {
  private readonly clients = new Map<number, grpc.Client>();

  constructor(
    private readonly addresses: ReadonlyMap<number, BrokerAddresses>,
    private readonly brokerId: number,
  ) {}

  get(peer: number): grpc.Client | null {
    const existing = this.clients.get(peer);
    if (existing) return existing;
    const address = this.addresses.get(peer)?.peer;
    if (!address) return null;
    const client = new services.Peer(address, grpc.credentials.createInsecure(), {
      interceptors: [identifyAs(this.brokerId)],
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
      ...CLIENT_FLOW_CONTROL_OPTIONS,
    });
    this.clients.set(peer, client);
    return client;
  }

  /** A unary Peer call with a deadline. */
  call<Req, Res>(peer: number, method: 'propose' | 'heartbeat' | 'replicaStatus', request: Req, timeoutMs: number): Promise<Res> {
    const client = this.get(peer);
    if (!client) return Promise.reject(new Error(`no address for broker ${peer}`));
    return new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, (req: Req, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: Res) => void) => void>)[method];
      fn.call(client, request, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
