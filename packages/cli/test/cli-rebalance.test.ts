import { LocalCluster, startCluster, waitFor } from '@gregor/testkit';
import { runGregor as gregor } from './helpers/run-gregor';

jest.setTimeout(180000);

const FAST = { 'raft-tick-ms': 50, 'broker-heartbeat-ms': 200, 'broker-session-timeout-ms': 3000 };

interface Described {
  brokers: Array<{ id: number; replicas: number }>;
  controllersTarget: number[];
  partitions: Array<{ topic: string; replicas: number[] }>;
}

async function describeCluster(env: Record<string, string>): Promise<Described> {
  return JSON.parse((await gregor(['cluster', 'describe', '--json'], env)).stdout) as Described;
}

function replicasOn(d: Described, id: number): number {
  return d.brokers.find((b) => b.id === id)?.replicas ?? -1;
}

describe('gregor cluster rebalance', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, config: FAST });
  });

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('--dry-run shows the moves onto a joined broker and moves nothing; without it the moves run and broker 4 takes its share', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    await waitFor(async () => (await gregor(['topic', 'create', 'spread', '-p', '6', '-r', '2'], env)).code === 0 || null, 60000, 'topic');
    await gregor(['produce', 'spread'], env, 'a\nb\nc\nd\n');
    await cluster.join(4);
    await waitFor(async () => (await describeCluster(env)).brokers.some((b) => b.id === 4) || null, 30000, 'broker 4 registered');

    const dry = await gregor(['cluster', 'rebalance', '--dry-run'], env);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toMatch(/^would move \d+ partition\(s\)\n/);
    expect(dry.stdout).toMatch(/BROKER\s+REPLICAS\s+LEADERS\s+BYTES\n/);
    expect(dry.stdout).toMatch(/\n4\s+0 -> 3\s+0 -> [12]\s/);
    expect(replicasOn(await describeCluster(env), 4)).toBe(0);
    expect((await gregor(['reassignment', 'list', '--json'], env)).stdout).toBe('');

    const json = JSON.parse((await gregor(['cluster', 'rebalance', '--dry-run', '--json'], env)).stdout);
    expect(json.started).toBe(false);
    expect(json.after.find((l: { brokerId: number }) => l.brokerId === 4).replicas).toBe(3);

    const run = await gregor(['cluster', 'rebalance', '--wait'], env);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^moving \d+ partition\(s\)\n/);
    expect(run.stdout).toContain('rebalance done\n');
    const after = await describeCluster(env);
    expect([1, 2, 3, 4].map((id) => replicasOn(after, id))).toEqual([3, 3, 3, 3]);
    expect((await gregor(['consume', 'spread', '--from-beginning', '--max', '4'], env)).stdout.trim().split('\n').sort()).toEqual(['a', 'b', 'c', 'd']);

    // Replica sizes differ by a few bytes of index and padding: no move for so little.
    const again = await gregor(['cluster', 'rebalance'], env);
    expect(again.stdout).toBe('the cluster is balanced: nothing to move\n');
  });

  it('is refused with a clear error while a partition moves', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    await waitFor(async () => (await gregor(['topic', 'create', 'busy', '-p', '1', '-r', '1'], env)).code === 0 || null, 60000, 'topic');
    const [replicas] = JSON.parse((await gregor(['topic', 'describe', 'busy', '--json'], env)).stdout).partitions.map((p: { replicas: number[] }) => p.replicas);
    const other = [1, 2, 3, 4].find((id) => id !== replicas[0])!;
    // More than one Raft message of log (1 MiB each) at a byte per second keeps the move going.
    for (let i = 0; i < 3; i++) expect((await gregor(['produce', 'busy'], env, 'x'.repeat(600_000) + '\n')).code).toBe(0);
    expect((await gregor(['reassignment', 'start', 'busy', '0', '--replicas', String(other), '--throttle', '0.000001'], env)).code).toBe(0);
    const refused = await gregor(['cluster', 'rebalance'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FAILED_PRECONDITION: cannot rebalance while 1 partition(s) move (busy-0)');
    expect((await gregor(['reassignment', 'cancel', 'busy', '0', '--wait'], env)).code).toBe(0);
  });

  it('broker decommission --cancel calls a decommission off: the broker is alive and takes replicas again', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    expect((await gregor(['broker', 'decommission', '4'], env)).code).toBe(0);
    const cancelled = await gregor(['broker', 'decommission', '4', '--cancel'], env);
    expect(cancelled).toMatchObject({ code: 0 });
    expect(cancelled.stdout).toMatch(/^decommission of broker 4 cancelled: \d+ partition\(s\) going back\n/);
    const states = JSON.parse((await gregor(['cluster', 'describe', '--json'], env)).stdout).brokers as Array<{ id: number; state: string }>;
    expect(states.find((b) => b.id === 4)?.state).toBe('alive');
    const again = await gregor(['broker', 'decommission', '4', '--cancel'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('broker 4 is not being decommissioned');
    // It takes new replicas again: a move onto it is accepted.
    await waitFor(async () => (await gregor(['reassignment', 'list', '--json'], env)).stdout === '' || null, 60000, 'the moves to end');
    await waitFor(async () => (await gregor(['topic', 'create', 'back', '-p', '1', '-r', '1'], env)).code === 0 || null, 60000, 'topic');
    expect((await gregor(['reassignment', 'start', 'back', '0', '--replicas', '4', '--wait'], env)).code).toBe(0);
  });
});

describe('gregor controller add|remove', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, config: FAST });
  });

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('adds a joined broker as a voter and removes another, one at a time; the metadata keeps working', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    await waitFor(async () => (await gregor(['topic', 'create', 'before', '-p', '1', '-r', '3'], env)).code === 0 || null, 60000, 'topic');
    await cluster.join(4);
    await waitFor(async () => (await describeCluster(env)).brokers.some((b) => b.id === 4) || null, 30000, 'broker 4 registered');

    const added = await gregor(['controller', 'add', '4', '--wait'], env);
    expect(added).toMatchObject({ code: 0, stdout: 'controllers changing to 1,2,3,4\ncontrollers are 1,2,3,4\n' });
    const removed = await gregor(['controller', 'remove', '1', '--wait'], env);
    expect(removed).toMatchObject({ code: 0, stdout: 'controllers changing to 2,3,4\ncontrollers are 2,3,4\n' });
    expect((await gregor(['cluster', 'describe'], env)).stdout).toMatch(/^cluster \S+, controller broker [234], controllers 2,3,4\n/);

    // Broker 1 now only follows the metadata: stopping it leaves the controllers a majority.
    await cluster.kill(1, 'SIGKILL');
    const others = { GREGOR_BROKER: [2, 3, 4].map((id) => cluster.address(id)).join(',') };
    await waitFor(async () => (await gregor(['topic', 'create', 'after', '-p', '1', '-r', '2'], others)).code === 0 || null, 60000, 'topic created without broker 1');
    await waitFor(async () => /\n1\s+\S+\s+dead\s/.test((await gregor(['cluster', 'describe'], others)).stdout) || null, 30000, 'broker 1 reported dead');

    for (const [args, message] of [
      [['controller', 'add', '9'], 'broker 9 does not exist'],
      [['controller', 'add', '2'], 'broker 2 is already a controller (controllers are 2,3,4)'],
      [['controller', 'remove', '1'], 'broker 1 is not a controller (controllers are 2,3,4)'],
      [['controller', 'add', '1'], 'broker 1 is not alive or is decommissioned'],
    ] as const) {
      const refused = await gregor([...args], others);
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toContain(message);
    }
    expect((await describeCluster(others)).controllersTarget).toEqual([]);
  });
});

describe('auto.balance', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 2, config: { ...FAST, 'auto-balance': 'true' } });
  });

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('moves replicas to a broker that joins, without anyone asking', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    await waitFor(async () => (await gregor(['topic', 'create', 'auto', '-p', '3', '-r', '2'], env)).code === 0 || null, 60000, 'topic');
    await cluster.join(3);
    const balanced = await waitFor(async () => {
      const d = await describeCluster(env);
      const moving = (await gregor(['reassignment', 'list', '--json'], env)).stdout !== '';
      return !moving && [1, 2, 3].every((id) => replicasOn(d, id) === 2) ? d : null;
    }, 90000, 'replicas spread over 3 brokers');
    expect(balanced.partitions.filter((p) => p.topic === 'auto').flatMap((p) => p.replicas)).toContain(3);
  });
});
