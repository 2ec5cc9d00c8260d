import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrokerError } from '../errors';

export interface BrokerAddresses {
  /** Where clients reach the broker. */
  client: string;
  /** Where other brokers reach its peer service. */
  peer: string;
}

export interface ClusterTopology {
  brokerId: number;
  /**
   * Every broker of the cluster, this one included, with the addresses this broker dials for it;
   * for a broker that joined before and restarts, only itself (the metadata names the others).
   */
  peers: ReadonlyMap<number, BrokerAddresses>;
  /** Voters of the metadata log for a fresh replica of it; every other broker follows it as a learner. */
  controllers: readonly number[];
}

const DEFAULT_CONTROLLER_COUNT = 3;
const PEER_SYNTAX = 'id=host:port/peerPort or id=host:port/peerHost:peerPort';

/**
 * Parses `--peers "1=host:port/peerPort,2=host:port/peerHost:peerPort"` and `--controllers
 * "1,2,3"`. Without peers the broker is a cluster of one at `self`: its own controller and the
 * only replica of every partition. With peers, this broker's own entry must name the port it
 * listens on for peers, or the others could not reach it.
 */
export function resolveTopology(brokerId: number, self: BrokerAddresses, peersText: string, controllersText: string): ClusterTopology {
  if (!Number.isInteger(brokerId) || brokerId < 1) {
    throw new BrokerError('INVALID_CONFIG', `broker id must be a positive integer, got ${brokerId}`);
  }
  const peers = peersText.trim() === '' ? new Map([[brokerId, self]]) : parsePeers(peersText);
  const own = peers.get(brokerId);
  if (!own) {
    throw new BrokerError('INVALID_CONFIG', `--peers must list this broker's own id ${brokerId}`);
  }
  if (portOf(own.peer) !== portOf(self.peer)) {
    throw new BrokerError('INVALID_CONFIG', `--peers gives broker ${brokerId} peer port ${portOf(own.peer)}, but it listens for peers on ${portOf(self.peer)} (--peer-port)`);
  }
  const ids = [...peers.keys()].sort((a, b) => a - b);
  const controllers = controllersText.trim() === '' ? ids.slice(0, DEFAULT_CONTROLLER_COUNT) : parseIds(controllersText);
  for (const id of controllers) {
    if (!peers.has(id)) throw new BrokerError('INVALID_CONFIG', `controller ${id} is not in --peers`);
  }
  return { brokerId, peers, controllers };
}

function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(':'));
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

function parsePeers(text: string): Map<number, BrokerAddresses> {
  const peers = new Map<number, BrokerAddresses>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+)=([^\s=,/]+:\d+)\/(?:(\d+)|([^\s=,/]+:\d+))$/.exec(part);
    if (!match) throw new BrokerError('INVALID_CONFIG', `peer ${JSON.stringify(part)} is not ${PEER_SYNTAX}`);
    const id = Number(match[1]);
    if (id < 1 || peers.has(id)) throw new BrokerError('INVALID_CONFIG', `peer id ${match[1]} is zero or listed twice`);
    const client = match[2];
    peers.set(id, { client, peer: match[4] ?? `${hostOf(client)}:${match[3]}` });
  }
  return peers;
}

function parseIds(text: string): number[] {
  const ids = text.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
    if (!/^\d+$/.test(p) || Number(p) < 1) throw new BrokerError('INVALID_CONFIG', `controller id ${JSON.stringify(p)} is not a positive integer`);
    return Number(p);
  });
  if (ids.length === 0 || new Set(ids).size !== ids.length) {
    throw new BrokerError('INVALID_CONFIG', '--controllers must list distinct broker ids');
  }
  return ids.sort((a, b) => a - b);
}

/**
 * A broker's id is part of its data: replicas on disk belong to it. The first start records
 * the id; a later start with another id is refused rather than impersonating a different broker.
 */
export function claimBrokerId(dataDir: string, brokerId: number): void {
  const file = path.join(dataDir, 'broker.id');
  fs.mkdirSync(dataDir, { recursive: true });
  if (fs.existsSync(file)) {
    const stored = Number(fs.readFileSync(file, 'utf8').trim());
    if (stored !== brokerId) {
      throw new BrokerError('INVALID_CONFIG', `${dataDir} belongs to broker ${stored}, not ${brokerId}`);
    }
    return;
  }
  fs.writeFileSync(file, `${brokerId}\n`);
}
