import * as net from 'node:net';
import { Admin } from '@gregor/client';
import { BrokerProcess, startBroker } from '../src/broker-process';
import { LocalCluster, defaultControllers, peerList } from '../src/cluster';
import { freePorts } from '../src/free-ports';
import { FaultProxy } from '../src/fault-proxy';
import { waitFor } from '../src/wait-for';

describe('cluster layout', () => {
  test('each broker dials itself directly and others at the peer address given for that ordered pair', () => {
    const clientAddress = (id: number) => `127.0.0.1:600${id}`;
    const peerAddressFor = (from: number, to: number) => (from === to ? `127.0.0.1:700${to}` : `127.0.0.1:9${from}${to}`);
    expect(peerList(2, [1, 2, 3], clientAddress, peerAddressFor)).toBe('1=127.0.0.1:6001/127.0.0.1:921,2=127.0.0.1:6002/127.0.0.1:7002,3=127.0.0.1:6003/127.0.0.1:923');
  });

  test('the controllers are the three lowest ids', () => {
    expect(defaultControllers([5, 3, 1, 4, 2])).toEqual([1, 2, 3]);
    expect(defaultControllers([7])).toEqual([7]);
  });

  test('free ports are distinct, below the ephemeral range, and not handed out twice', async () => {
    const held = net.createServer();
    const first = await freePorts(5);
    await new Promise<void>((resolve) => held.listen(first[4] + 1, '127.0.0.1', () => resolve()));
    const second = await freePorts(5);
    held.close();
    const all = [...first, ...second];
    expect(new Set(all).size).toBe(10);
    expect(all.every((port) => port >= 10_000 && port < 32_768)).toBe(true);
    expect(second).not.toContain(first[4] + 1);
  });
});

describe('LocalCluster network faults', () => {
  let cluster: LocalCluster;
  const ids = [1, 2, 3];

  beforeEach(async () => {
    const proxies = new Map<string, FaultProxy>();
    for (const from of ids) for (const to of ids) if (from !== to) proxies.set(`${from}->${to}`, await FaultProxy.start({ targetPort: 1 }));
    // Brokers that are never started: these tests only drive the proxies.
    const brokers = new Map(ids.map((id) => [id, new BrokerProcess(`/nonexistent/${id}`, {}, false)]));
    cluster = new LocalCluster('/nonexistent', brokers, proxies, false);
  });

  afterEach(async () => {
    await cluster.cleanup();
  });

  /** Every ordered pair's proxy state, e.g. { '1->2': 'open', ... }. */
  function states(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const from of ids) for (const to of ids) if (from !== to) out[`${from}->${to}`] = cluster.proxy(from, to).state;
    return out;
  }

  test('isolate cuts one broker off both ways and leaves the rest connected', () => {
    cluster.isolate(2);
    expect(states()).toEqual({ '1->2': 'blocked', '1->3': 'open', '2->1': 'blocked', '2->3': 'blocked', '3->1': 'open', '3->2': 'blocked' });
  });

  test('split blocks exactly the links between the groups', () => {
    cluster.split([1], [2, 3]);
    expect(states()).toEqual({ '1->2': 'blocked', '1->3': 'blocked', '2->1': 'blocked', '2->3': 'open', '3->1': 'blocked', '3->2': 'open' });
  });

  test('oneWay loses what one broker sends to another: its requests and its replies', () => {
    cluster.oneWay(1, 3);
    expect(states()).toEqual({ '1->2': 'open', '1->3': 'forward-blocked', '2->1': 'open', '2->3': 'open', '3->1': 'backward-blocked', '3->2': 'open' });
  });

  test('unsplit opens the links between the groups and leaves other faults in place', () => {
    cluster.split([1], [2, 3]);
    cluster.oneWay(2, 3);
    cluster.unsplit([1], [2, 3]);
    expect(states()).toEqual({ '1->2': 'open', '1->3': 'open', '2->1': 'open', '2->3': 'forward-blocked', '3->1': 'open', '3->2': 'backward-blocked' });
  });

  test('healNetwork opens every link', () => {
    cluster.isolate(1);
    cluster.oneWay(2, 3);
    cluster.healNetwork();
    expect(new Set(Object.values(states()))).toEqual(new Set(['open']));
  });

  test('the brokers are listed in id order with their data directories', () => {
    expect(cluster.ids).toEqual([1, 2, 3]);
    expect(cluster.dataDir(3)).toBe('/nonexistent/3');
    expect(cluster.proxied).toBe(true);
    expect(() => cluster.proxy(1, 1)).toThrow('no proxy 1->1');
  });
});

describe('LocalCluster process controls', () => {
  let broker: BrokerProcess;
  let cluster: LocalCluster;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startBroker();
    cluster = new LocalCluster(broker.dataDir, new Map([[1, broker]]), new Map(), false);
    admin = new Admin({ address: broker.address });
  });

  afterAll(async () => {
    admin.close();
    await broker.cleanup();
  });

  test('pause freezes the broker until resume', async () => {
    cluster.pause(1);
    expect(cluster.isPaused(1)).toBe(true);
    expect(cluster.live()).toEqual([]);
    await expect(admin.health(300)).rejects.toThrow();
    cluster.resume(1);
    expect(await waitFor(() => admin.health(1000), 10000, 'health after resume')).toBe('SERVING');
    expect(cluster.live()).toEqual([1]);
  });

  test('kill, then start on the same port; a paused broker can be killed', async () => {
    const port = broker.port;
    cluster.pause(1);
    expect((await cluster.kill(1, 'SIGKILL')).signal).toBe('SIGKILL');
    expect(cluster.isRunning(1)).toBe(false);
    expect(cluster.isPaused(1)).toBe(false);
    await cluster.start(1);
    expect(broker.port).toBe(port);
    expect(await waitFor(() => admin.health(1000), 10000, 'health after start')).toBe('SERVING');
  });

  test('a paused broker stops cleanly on SIGTERM; healAll starts it again', async () => {
    cluster.pause(1);
    expect((await cluster.kill(1, 'SIGTERM')).code).toBe(0);
    await cluster.healAll();
    expect(cluster.live()).toEqual([1]);
    expect(() => cluster.proxy(1, 2)).toThrow('without proxies');
  });
});
