import { type LocalCluster, parsePrometheus, type PrometheusSample, sampleValue, startCluster, waitFor } from '@gregor/testkit';
import { Message, RawClients } from './helpers/raw-client';

/** Three brokers losing two: what their metrics and readiness probes say as it happens. */
describe('metrics and readiness of a cluster losing brokers', () => {
  let cluster: LocalCluster;
  const clients = new RawClients((id) => cluster.address(id));

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, metrics: true, config: { 'broker-heartbeat-ms': 200, 'broker-session-timeout-ms': 2000 } });
    await waitFor(async () => {
      const { brokers } = await clients.get(1).call('Admin', 'DescribeCluster', {});
      return brokers.length === 3 && brokers.every((b: Message) => b.alive);
    }, 30_000, 'three live brokers');
  }, 60_000);

  afterAll(async () => {
    clients.close();
    await cluster?.cleanup();
  });

  async function scrape(id: number): Promise<PrometheusSample[]> {
    return parsePrometheus(await (await fetch(`${cluster.broker(id).metricsUrl}/metrics`)).text());
  }

  async function readiness(id: number): Promise<{ status: number; body: { ready: boolean; reasons?: string[] } }> {
    const response = await fetch(`${cluster.broker(id).metricsUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as { ready: boolean; reasons?: string[] } };
  }

  it('counts under-replicated partitions and fenced brokers when one stops; readiness fails once a majority is gone', async () => {
    await clients.get(1).call('Admin', 'CreateTopic', { name: 'watched', partitions: 3, replicationFactor: 3 });
    await waitFor(async () => (await Promise.all(cluster.ids.map(readiness))).every((r) => r.status === 200) || undefined, 30_000, 'every broker ready');

    await cluster.kill(3);
    await waitFor(async () => {
      const samples = await Promise.all([1, 2].map(scrape));
      const fenced = samples.map((s) => sampleValue(s, 'gregor_cluster_brokers', { state: 'fenced' }));
      const underReplicated = samples.map((s) => sampleValue(s, 'gregor_under_replicated_partitions') ?? 0);
      // Every partition of `watched` has a replica on broker 3: once their leaders are on 1 and 2, each counts.
      return fenced.every((n) => n === 1) && underReplicated[0] + underReplicated[1] >= 3 ? true : undefined;
    }, 30_000, 'brokers 1 and 2 counting broker 3 fenced and its partitions under-replicated');
    const survivors = await Promise.all([1, 2].map(scrape));
    expect(survivors.map((s) => sampleValue(s, 'gregor_offline_partitions')).reduce((a, b) => a! + b!, 0)).toBe(0);
    expect(survivors.map((s) => sampleValue(s, 'gregor_controller_leader')).reduce((a, b) => a! + b!, 0)).toBe(1);
    expect((await Promise.all([1, 2].map(readiness))).map((r) => r.status)).toEqual([200, 200]);

    await cluster.kill(2);
    const alone = await waitFor(async () => {
      const r = await readiness(1);
      return r.status === 503 ? r : undefined;
    }, 30_000, 'broker 1 unready without a majority');
    expect(alone.body.ready).toBe(false);
    expect(alone.body.reasons!.length).toBeGreaterThan(0);
    expect((await fetch(`${cluster.broker(1).metricsUrl}/healthz`)).status).toBe(200);
  }, 120_000);
});
