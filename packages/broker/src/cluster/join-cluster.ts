import * as grpc from '@grpc/grpc-js';
import { services, type DescribeClusterResponse } from '@gregor/proto';
import type { ClusterState } from '../controller/cluster-state';
import { BrokerError } from '../errors';
import type { BrokerAddresses, ClusterTopology } from './cluster-config';

const JOIN_TIMEOUT_MS = 10_000;

/**
 * The topology of a running cluster, asked of one of its brokers (`--join host:port`): every
 * broker that registered a peer address, and the metadata log's voters. This broker is then one
 * more follower of the metadata log; the controller adds it once its first heartbeat registers it.
 */
export async function joinTopology(brokerId: number, self: BrokerAddresses, joinAddress: string, peersText: string, state: ClusterState): Promise<ClusterTopology> {
  if (peersText.trim() !== '') throw new BrokerError('INVALID_CONFIG', '--join and --peers exclude each other: a joining broker learns its peers from the cluster');
  if (!/^[^:\s]+:\d{1,5}$/.test(joinAddress)) throw new BrokerError('INVALID_CONFIG', `--join ${JSON.stringify(joinAddress)} is not host:port`);
  // Joined before: the metadata kept here names every peer (and its replica of the metadata log
  // its own membership), so a restart needs no broker at --join, which may have left since.
  if (state.broker(brokerId) !== undefined) return { brokerId, peers: new Map([[brokerId, self]]), controllers: [] };
  const cluster = await describe(joinAddress);
  if (cluster.controllers.length === 0) throw new BrokerError('LEADER_NOT_AVAILABLE', `the broker at ${joinAddress} knows no controllers yet; retry once its cluster has formed`);
  const peers = new Map<number, BrokerAddresses>();
  for (const broker of cluster.brokers) {
    if (broker.peerAddress && broker.id !== brokerId) peers.set(broker.id, { client: `${broker.host}:${broker.port}`, peer: broker.peerAddress });
  }
  peers.set(brokerId, self);
  return { brokerId, peers, controllers: [...cluster.controllers].sort((a, b) => a - b) };
}

function describe(address: string): Promise<DescribeClusterResponse> {
  const client = new services.Admin(address, grpc.credentials.createInsecure());
  return new Promise<DescribeClusterResponse>((resolve, reject) => {
    const call = (client as unknown as Record<string, (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: DescribeClusterResponse) => void) => void>).DescribeCluster;
    call.call(client, {}, { deadline: Date.now() + JOIN_TIMEOUT_MS }, (err, res) => {
      client.close();
      if (err) reject(new BrokerError('LEADER_NOT_AVAILABLE', `cannot join through ${address}: ${err.details || err.message}`));
      else resolve(res);
    });
  });
}
