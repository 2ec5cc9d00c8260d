import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrokerExit, BrokerProcess, type StartBrokerOptions } from './broker-process';
import { FaultProxy } from './fault-proxy';
import { freePorts } from './free-ports';

/** What every broker of a cluster starts with, as startBroker takes it for one. */
export type SharedBrokerOptions = Pick<StartBrokerOptions, 'config' | 'env' | 'program' | 'kafka' | 'mqtt' | 'metrics' | 'nodeArgs' | 'startTimeoutMs'>;

export interface ClusterOptions extends SharedBrokerOptions {
  /** How many brokers; their ids are 1..brokers. */
  brokers: number;
  /** Broker i keeps its data in <dataRoot>/broker-i. Default: a fresh temporary directory, removed by cleanup(). */
  dataRoot?: string;
  /** Route every broker-to-broker connection through a FaultProxy per ordered pair (default false). */
  proxied?: boolean;
  /** Broker i listens on basePort + i - 1 for clients and basePort + brokers + i - 1 for peers. Default: free ephemeral ports. */
  basePort?: number;
}

/**
 * The --peers value for broker `self`: every id with its client address and the peer address
 * `self` dials to reach it (its own peer listening address for itself).
 */
export function peerList(
  self: number,
  ids: readonly number[],
  clientAddress: (id: number) => string,
  peerAddressFor: (from: number, to: number) => string,
): string {
  return ids.map((id) => `${id}=${clientAddress(id)}/${peerAddressFor(self, id)}`).join(',');
}

/** The controller voters: the three lowest ids. */
export function defaultControllers(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b).slice(0, 3);
}

/**
 * Brokers as separate processes on loopback, each with its own data
 * directory, optionally wired through fault proxies, with handles to kill,
 * pause, restart and partition them.
 */
export class LocalCluster {
  readonly ids: number[];
  readonly controllers: number[];
  private readonly paused = new Set<number>();
  private readonly retired = new Set<number>();

  constructor(
    readonly dataRoot: string,
    private readonly brokers: Map<number, BrokerProcess>,
    /** Keyed `${from}->${to}`; empty when not proxied. */
    private readonly proxies: Map<string, FaultProxy>,
    private readonly ownsDataRoot: boolean,
    /** What every broker was started with, for brokers that join later. */
    private readonly shared: SharedBrokerOptions = {},
  ) {
    this.ids = [...brokers.keys()].sort((a, b) => a - b);
    this.controllers = defaultControllers(this.ids);
  }

  get proxied(): boolean {
    return this.proxies.size > 0;
  }

  broker(id: number): BrokerProcess {
    const broker = this.brokers.get(id);
    if (!broker) throw new Error(`no broker ${id} in this cluster`);
    return broker;
  }

  /** Where clients reach broker `id`. */
  address(id: number): string {
    return this.broker(id).address;
  }

  /** Where broker `id` listens for its peers (not through a proxy). */
  peerAddress(id: number): string {
    return this.broker(id).peerAddress;
  }

  /** Every broker's client address, comma-separated: the value for --bootstrap. */
  get bootstrap(): string {
    return this.ids.map((id) => this.address(id)).join(',');
  }

  dataDir(id: number): string {
    return this.broker(id).dataDir;
  }

  isRunning(id: number): boolean {
    return this.broker(id).running;
  }

  isPaused(id: number): boolean {
    return this.paused.has(id);
  }

  /**
   * Brokers whose links to each other run through fault proxies: those started with the cluster.
   * A broker that joins later is reached at the address it registers, past every proxy.
   */
  get wiredIds(): number[] {
    const wired = new Set([...this.proxies.keys()].map((key) => Number(key.split('->')[0])));
    return this.ids.filter((id) => wired.has(id));
  }

  /** Brokers running and not paused. */
  live(): number[] {
    return this.ids.filter((id) => this.isRunning(id) && !this.isPaused(id));
  }

  proxy(from: number, to: number): FaultProxy {
    const proxy = this.proxies.get(`${from}->${to}`);
    if (!proxy) throw new Error(this.proxied ? `no proxy ${from}->${to}` : 'cluster was started without proxies');
    return proxy;
  }

  /** Signals the broker and waits for it to exit (default SIGKILL). */
  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<BrokerExit> {
    // A stopped process handles nothing but SIGKILL until continued.
    if (signal !== 'SIGKILL') this.resume(id);
    const exit = await this.broker(id).kill(signal);
    this.paused.delete(id);
    return exit;
  }

  /** SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a hung VM. */
  pause(id: number): void {
    const pid = this.broker(id).pid;
    if (!this.isRunning(id) || pid === undefined || this.paused.has(id)) return;
    process.kill(pid, 'SIGSTOP');
    this.paused.add(id);
  }

  resume(id: number): void {
    const pid = this.broker(id).pid;
    if (!this.paused.delete(id) || pid === undefined || !this.isRunning(id)) return;
    process.kill(pid, 'SIGCONT');
  }

  /**
   * Starts a new broker `id` that joins the running cluster through a live broker (`--join`), with
   * its data in <dataRoot>/broker-id; from then on it is one of this cluster's brokers.
   */
  async join(id: number, config: Record<string, string | number> = {}): Promise<void> {
    if (this.brokers.has(id)) throw new Error(`broker ${id} is already in this cluster`);
    const through = this.live()[0];
    if (through === undefined) throw new Error('no live broker to join through');
    const dataDir = path.join(this.dataRoot, `broker-${id}`);
    await fs.promises.mkdir(dataDir, { recursive: true });
    const broker = new BrokerProcess(dataDir, { ...this.shared, config: { ...this.shared.config, ...config, 'broker-id': id, join: this.address(through) } }, false);
    this.brokers.set(id, broker);
    this.ids.push(id);
    this.ids.sort((a, b) => a - b);
    await broker.start();
  }

  /** Starts a broker that is not running, on its port and data directory; a retired one stays stopped. */
  async start(id: number): Promise<void> {
    if (!this.isRunning(id) && !this.retired.has(id)) await this.broker(id).start();
  }

  /** Stops a broker for good (decommissioned and removed): it leaves `ids`, and no heal starts it again. */
  async retire(id: number): Promise<void> {
    await this.kill(id, 'SIGTERM');
    this.retired.add(id);
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
  }

  async restart(id: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.kill(id, signal);
    await this.start(id);
  }

  /** Cuts `id` off from every other broker, both ways (clients still reach it). */
  isolate(id: number): void {
    const others = this.ids.filter((other) => other !== id);
    this.split([id], others);
  }

  /** A partition between two groups of brokers; links inside a group stay up. */
  split(groupA: readonly number[], groupB: readonly number[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.proxy(a, b).block();
        this.proxy(b, a).block();
      }
    }
  }

  /** Heals the links split(groupA, groupB) cut, and leaves every other link as it is. */
  unsplit(groupA: readonly number[], groupB: readonly number[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.proxy(a, b).heal();
        this.proxy(b, a).heal();
      }
    }
  }

  /**
   * Everything `from` sends to `to` is lost: its requests to `to` and its replies
   * on connections that `to` opened. `to` still reaches `from`.
   */
  oneWay(from: number, to: number): void {
    this.proxy(from, to).blockOneWay('forward');
    this.proxy(to, from).blockOneWay('backward');
  }

  healNetwork(): void {
    for (const proxy of this.proxies.values()) proxy.heal();
  }

  /** Heals the network, resumes paused brokers and starts stopped ones. */
  async healAll(): Promise<void> {
    this.healNetwork();
    for (const id of [...this.paused]) this.resume(id);
    await Promise.all(this.ids.map((id) => this.start(id)));
  }

  /** Stops every broker with `signal` (default SIGTERM, a clean shutdown) and waits for them to exit. */
  async stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.ids.map((id) => this.kill(id, signal)));
  }

  /** Kills every broker, closes the proxies and removes a temporary data root. */
  async cleanup(): Promise<void> {
    await this.stopAll('SIGKILL');
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    if (this.ownsDataRoot) await fs.promises.rm(this.dataRoot, { recursive: true, force: true });
  }
}

/**
 * Starts `brokers` broker processes that form one cluster: broker i gets
 * --broker-id i, its client and peer ports, <dataRoot>/broker-i, its own --peers list (through
 * its proxies when proxied) and the three lowest ids as controllers.
 */
export async function startCluster(options: ClusterOptions): Promise<LocalCluster> {
  if (!Number.isInteger(options.brokers) || options.brokers < 1) throw new Error(`brokers must be a positive integer, got ${options.brokers}`);
  const ids = Array.from({ length: options.brokers }, (_, i) => i + 1);
  const dataRoot = options.dataRoot ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gregor-cluster-')));
  await fs.promises.mkdir(dataRoot, { recursive: true });
  const count = ids.length;
  const ports = options.basePort !== undefined ? Array.from({ length: 2 * count }, (_, i) => options.basePort! + i) : await freePorts(2 * count);
  const portOf = (id: number): number => ports[id - 1];
  const peerPortOf = (id: number): number => ports[count + id - 1];

  const proxies = new Map<string, FaultProxy>();
  if (options.proxied) {
    try {
      for (const from of ids) {
        for (const to of ids) {
          if (from !== to) proxies.set(`${from}->${to}`, await FaultProxy.start({ targetPort: peerPortOf(to) }));
        }
      }
    } catch (err) {
      await Promise.all([...proxies.values()].map((p) => p.close()));
      throw err;
    }
  }
  const peerAddressFor = (from: number, to: number): string =>
    from === to || !options.proxied ? `127.0.0.1:${peerPortOf(to)}` : proxies.get(`${from}->${to}`)!.address;
  const clientAddress = (id: number): string => `127.0.0.1:${portOf(id)}`;
  const controllers = defaultControllers(ids).join(',');
  const { config: sharedConfig, env, program, kafka, mqtt, metrics, nodeArgs, startTimeoutMs } = options;
  const shared: SharedBrokerOptions = { config: sharedConfig, env, program, kafka, mqtt, metrics, nodeArgs, startTimeoutMs };
  const brokers = new Map<number, BrokerProcess>();
  for (const id of ids) {
    const config = { ...options.config, 'broker-id': id, peers: peerList(id, ids, clientAddress, peerAddressFor), controllers };
    const dataDir = path.join(dataRoot, `broker-${id}`);
    brokers.set(id, new BrokerProcess(dataDir, { ...shared, port: portOf(id), peerPort: peerPortOf(id), config }, false));
  }
  const cluster = new LocalCluster(dataRoot, brokers, proxies, options.dataRoot === undefined, shared);
  try {
    await Promise.all(ids.map(async (id) => {
      await fs.promises.mkdir(cluster.dataDir(id), { recursive: true });
      await cluster.start(id);
    }));
  } catch (err) {
    await cluster.cleanup();
    throw err;
  }
  return cluster;
}
