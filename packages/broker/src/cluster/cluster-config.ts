import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrokerError } from '../errors';

export interface ClusterTopology {
  brokerId: number;
  /** Every broker of the cluster, this one included, with the address this broker dials for it. */
  peers: ReadonlyMap<number, string>;
  /** Voters of the metadata log; every other broker follows it as a learner. */
  controllers: readonly number[];
}

const DEFAULT_CONTROLLER_COUNT = 3;

/**
 * Parses `--peers "1=host:port,2=host:port"` and `--controllers "1,2,3"`. Without peers the
 * broker is a cluster of one: its own controller and the only replica of every partition.
 */
export function resolveTopology(brokerId: number, advertised: string, peersText: string, controllersText: string): ClusterTopology {
  if (!Number.isInteger(brokerId) || brokerId < 1) {
    throw new BrokerError('INVALID_CONFIG', `broker id must be a positive integer, got ${brokerId}`);
  }
  const peers = peersText.trim() === '' ? new Map([[brokerId, advertised]]) : parsePeers(peersText);
  if (!peers.has(brokerId)) {
    throw new BrokerError('INVALID_CONFIG', `--peers must list this broker's own id ${brokerId}`);
  }
  const ids = [...peers.keys()].sort((a, b) => a - b);
  const controllers = controllersText.trim() === '' ? ids.slice(0, DEFAULT_CONTROLLER_COUNT) : parseIds(controllersText);
  for (const id of controllers) {
    if (!peers.has(id)) throw new BrokerError('INVALID_CONFIG', `controller ${id} is not in --peers`);
  }
  return { brokerId, peers, controllers };
}

function parsePeers(text: string): Map<number, string> {
  const peers = new Map<number, string>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\d+)=([^\s=,]+:\d+)$/.exec(part);
    if (!match) throw new BrokerError('INVALID_CONFIG', `peer ${JSON.stringify(part)} is not id=host:port`);
    const id = Number(match[1]);
    if (id < 1 || peers.has(id)) throw new BrokerError('INVALID_CONFIG', `peer id ${match[1]} is zero or listed twice`);
    peers.set(id, match[2]);
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
