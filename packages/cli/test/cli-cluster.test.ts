import { LocalCluster, startCluster, waitFor } from '@gregor/testkit';
import { runGregor } from './helpers/run-gregor';

const gregor = runGregor;

jest.setTimeout(120000);

/** The gregor command against three broker processes. */
describe('gregor CLI on a 3-broker cluster', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, config: { 'raft-tick-ms': 50, 'broker-heartbeat-ms': 200 } });
  });

  afterAll(async () => {
    await cluster?.cleanup();
  });

  it('takes a comma-separated broker list from -b or GREGOR_BROKER, skipping brokers that do not answer', async () => {
    const list = `127.0.0.1:1,${cluster.bootstrap}`;
    const created = await waitFor(async () => {
      const result = await gregor(['-b', list, 'topic', 'create', 'rf', '--partitions', '2', '--replication-factor', '3']);
      return result.code === 0 ? result : null;
    }, 60000, 'topic create on the cluster');
    expect(created.stdout).toBe('created topic rf with 2 partition(s), 3 replica(s) each\n');
    const listed = await gregor(['topic', 'list'], { GREGOR_BROKER: list });
    expect(listed.stdout).toMatch(/rf\s+2/);
    const described = JSON.parse((await gregor(['-b', list, 'topic', 'describe', 'rf', '--json'])).stdout);
    expect(described.partitions.map((p: { replicas: number[] }) => [...p.replicas].sort())).toEqual([[1, 2, 3], [1, 2, 3]]);
  });

  it('produces with --acks leader and --acks all, and consumes from the partition leaders', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    await waitFor(async () => (await gregor(['topic', 'create', 'acks', '-p', '3', '-r', '2'], env)).code === 0 || null, 60000, 'topic');
    const leader = await gregor(['produce', 'acks', '--acks', 'leader'], env, 'a\nb\n');
    expect(leader).toMatchObject({ code: 0 });
    expect(leader.stderr).toContain('produced 2 record(s)');
    expect((await gregor(['produce', 'acks', '--acks', 'all'], env, 'c\n')).code).toBe(0);
    const consumed = await gregor(['consume', 'acks', '--from-beginning', '--max', '3'], env);
    expect(consumed.stdout.trim().split('\n').sort()).toEqual(['a', 'b', 'c']);
    const bad = await gregor(['produce', 'acks', '--acks', 'some'], env, 'x\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--acks must be all or leader');
  });

  it('cluster describe shows brokers alive or dead, the controller, and per partition leader, replicas, high watermark and replica lag', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    await waitFor(async () => (await gregor(['topic', 'create', 'described', '-p', '1', '-r', '3'], env)).code === 0 || null, 60000, 'topic');
    await gregor(['produce', 'described'], env, 'x\ny\n');
    const json = JSON.parse((await gregor(['cluster', 'describe', '--json'], env)).stdout);
    expect(json.brokers.map((b: { id: number; alive: boolean }) => [b.id, b.alive])).toEqual([[1, true], [2, true], [3, true]]);
    expect(json.controllerId).toBeGreaterThan(0);

    const text = (await gregor(['cluster', 'describe'], env)).stdout;
    expect(text).toMatch(new RegExp(`^cluster \\S+, controller broker ${json.controllerId}, controllers 1,2,3\\n`));
    expect(text).toMatch(/BROKER\s+ADDRESS\s+STATUS\s+RACK\s+REPLICAS\n1\s+127\.0\.0\.1:\d+\s+alive\s+-\s+\d+\n2\s+127\.0\.0\.1:\d+\s+alive\s+-\s+\d+\n3\s+127\.0\.0\.1:\d+\s+alive\s+-\s+\d+\n/);
    expect(text).toMatch(/TOPIC\s+PARTITION\s+LEADER\s+REPLICAS\s+HIGH-WATERMARK\s+LAG\n/);
    expect(text).toMatch(/described\s+0\s+[123]\s+\d,\d,\d\s+2\s+\d=0 \d=0 \d=0\n/);

    await cluster.kill(3, 'SIGKILL');
    const after = await waitFor(async () => {
      const result = await gregor(['cluster', 'describe'], env);
      return /\n3\s+127\.0\.0\.1:\d+\s+dead\s/.test(result.stdout) ? result.stdout : null;
    }, 60000, 'broker 3 reported dead');
    expect(after).toMatch(/described\s+0\s+[12]\s+\d,\d,\d\s+2\s+.*3=unreachable/);
    await cluster.start(3);
  });

  it('reassignment start --wait moves a partition and shows it done; bad moves and decommissions get a clear error', async () => {
    const env = { GREGOR_BROKER: cluster.bootstrap };
    await waitFor(async () => (await gregor(['topic', 'create', 'moved', '-p', '1', '-r', '2'], env)).code === 0 || null, 60000, 'topic');
    const [replicas] = JSON.parse((await gregor(['topic', 'describe', 'moved', '--json'], env)).stdout).partitions.map((p: { replicas: number[] }) => p.replicas);
    const spare = [1, 2, 3].find((id) => !replicas.includes(id))!;
    const target = [spare, replicas[1]];
    const moved = await gregor(['reassignment', 'start', 'moved', '0', '--replicas', target.join(','), '--wait'], env);
    expect(moved).toMatchObject({ code: 0 });
    expect(moved.stdout).toContain(`moved-0 now on [${target.join(',')}]`);
    expect((await gregor(['reassignment', 'list', '--json'], env)).stdout).toBe('');

    const duplicate = await gregor(['reassignment', 'start', 'moved', '0', '--replicas', `${spare},${spare}`], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('INVALID_ARGUMENT: moved-0: replica list');
    const unknown = await gregor(['reassignment', 'start', 'moved', '0', '--replicas', '1,9'], env);
    expect(unknown.stderr).toContain('broker 9 does not exist');
    const tooMany = await gregor(['reassignment', 'start', 'moved', '0', '--replicas', '1,2,3,4'], env);
    expect(tooMany.stderr).toContain('4 replicas exceed the 3 live broker(s)');
    const noMove = await gregor(['reassignment', 'cancel', 'moved', '0'], env);
    expect(noMove.stderr).toContain('FAILED_PRECONDITION: partition 0 of topic id');
    // Three brokers hold replication factor 3: none can leave.
    await waitFor(async () => (await gregor(['topic', 'create', 'wide', '-p', '1', '-r', '3'], env)).code === 0 || null, 60000, 'topic');
    const decommission = await gregor(['broker', 'decommission', '2'], env);
    expect(decommission.code).toBe(1);
    expect(decommission.stderr).toContain('has replication factor 3 and only 2 other eligible broker(s) would remain');
    const described = JSON.parse((await gregor(['cluster', 'describe', '--json'], env)).stdout);
    expect(described.brokers.map((b: { state: string }) => b.state)).toEqual(['alive', 'alive', 'alive']);
    expect(JSON.parse((await gregor(['topic', 'describe', 'moved', '--json'], env)).stdout).partitions[0].replicas).toEqual(target);
  });
});
