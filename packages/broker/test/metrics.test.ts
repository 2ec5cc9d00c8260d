import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeBatch } from '@gregor/records';
import { type BrokerProcess, parsePrometheus, type PrometheusSample, sampleValue, startBroker } from '@gregor/testkit';
import { RawClient } from './helpers/raw-client';

/**
 * One broker's HTTP port after a known workload, read with the Prometheus project's own parser:
 * the counters say exactly what was produced and read.
 */
describe('metrics and health over HTTP', () => {
  let broker: BrokerProcess;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startBroker({ metrics: true });
    client = new RawClient(broker.address);
  });

  afterAll(async () => {
    client?.close();
    await broker?.cleanup();
  });

  async function scrape(): Promise<PrometheusSample[]> {
    const response = await fetch(`${broker.metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await response.text());
  }

  it('counts per partition exactly the records and bytes produced and read, and every request by method and outcome', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'metered', partitions: 2 });
    const produced = [
      { records: 0, bytes: 0 },
      { records: 0, bytes: 0 },
    ];
    let produceCalls = 0;
    for (let i = 0; i < 12; i++) {
      const partition = i % 3 === 0 ? 1 : 0;
      const batch = encodeBatch(Array.from({ length: i + 1 }, (_, r) => ({ key: Buffer.from(`k${r}`), value: Buffer.alloc(10 * r, 'x') })));
      await client.call('Log', 'Produce', { topic: 'metered', partition, batch });
      produceCalls++;
      produced[partition].records += i + 1;
      produced[partition].bytes += batch.length;
    }
    await expect(client.call('Log', 'Produce', { topic: 'metered', partition: 7, batch: encodeBatch([{ key: null, value: Buffer.from('lost') }]) })).rejects.toThrow();
    let bytesRead = 0;
    for (const partition of [0, 1]) {
      const fetched = await client.call('Log', 'Fetch', { topic: 'metered', partition, offset: 0, maxBytes: 1 << 20 });
      expect(fetched.records.length).toBe(produced[partition].bytes);
      bytesRead += fetched.records.length;
    }

    await client.call('Groups', 'CommitOffsets', { group: 'readers', offsets: [{ topic: 'metered', partition: 0, offset: 5 }] });

    const samples = await scrape();
    for (const partition of [0, 1]) {
      const labels = { topic: 'metered', partition: String(partition) };
      expect(sampleValue(samples, 'gregor_partition_records_in_total', labels)).toBe(produced[partition].records);
      expect(sampleValue(samples, 'gregor_partition_bytes_in_total', labels)).toBe(produced[partition].bytes);
      expect(sampleValue(samples, 'gregor_partition_records_out_total', labels)).toBe(produced[partition].records);
      expect(sampleValue(samples, 'gregor_partition_bytes_out_total', labels)).toBe(produced[partition].bytes);
      expect(sampleValue(samples, 'gregor_partition_high_watermark', labels)).toBe(produced[partition].records);
      expect(sampleValue(samples, 'gregor_partition_log_size_bytes', labels)).toBeGreaterThanOrEqual(produced[partition].bytes);
      expect(sampleValue(samples, 'gregor_partition_leader', labels)).toBe(1);
      expect(sampleValue(samples, 'gregor_replica_lag_records', labels)).toBe(0);
    }
    expect(bytesRead).toBe(produced[0].bytes + produced[1].bytes);
    expect(sampleValue(samples, 'gregor_consumer_group_lag', { group: 'readers', topic: 'metered', partition: '0' })).toBe(produced[0].records - 5);
    for (const group of [{ topic: 'metered', partition: '1' }, { topic: '__metadata', partition: '0' }]) {
      expect(sampleValue(samples, 'gregor_raft_term', group)).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, 'gregor_raft_leader_changes_total', group)).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, 'gregor_raft_commit_index', group)).toBeGreaterThanOrEqual(1);
    }
    // flush.policy=always: every acknowledged produce waited for an fdatasync.
    expect(sampleValue(samples, 'gregor_log_fsync_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'gregor_log_fsyncs_in_flight')).toBeDefined();
    expect(sampleValue(samples, 'gregor_request_duration_seconds_count', { method: 'Produce', outcome: 'ok' })).toBe(produceCalls);
    expect(sampleValue(samples, 'gregor_request_duration_seconds_count', { method: 'Produce', outcome: 'UNKNOWN_PARTITION' })).toBe(1);
    expect(sampleValue(samples, 'gregor_request_duration_seconds_count', { method: 'Fetch', outcome: 'ok' })).toBe(2);
    expect(sampleValue(samples, 'gregor_controller_leader')).toBe(1);
    expect(sampleValue(samples, 'gregor_cluster_brokers', { state: 'alive' })).toBe(1);
    expect(sampleValue(samples, 'gregor_under_replicated_partitions')).toBe(0);
    expect(sampleValue(samples, 'gregor_offline_partitions')).toBe(0);
    // The process: memory, the event loop's lag and garbage collection.
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(samples.some((s) => s.name.startsWith('nodejs_gc_duration_seconds'))).toBe(true);
    expect(samples.every((s) => s.labels.broker === '1')).toBe(true);
  });

  it('exports every series the Grafana dashboard charts', async () => {
    const dashboard = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../deploy/grafana/gregor.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr));
    const charted = new Set(exprs.flatMap((e) => e.match(/\b(gregor|nodejs|process)_[a-z0-9_]+/g) ?? []));
    const exported = new Set((await scrape()).map((s) => s.name));
    expect([...charted].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('answers /healthz and /readyz, 404 for an unknown path and 405 for another method, with no stack trace', async () => {
    const health = await fetch(`${broker.metricsUrl}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'alive' }]);
    const ready = await fetch(`${broker.metricsUrl}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true }]);
    const unknown = await fetch(`${broker.metricsUrl}/metrics/../../etc/passwd%00`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toMatch(/at .*\.js/);
    const post = await fetch(`${broker.metricsUrl}/metrics`, { method: 'POST', body: 'x' });
    expect([post.status, await post.json()]).toEqual([405, { error: '/metrics answers GET only' }]);
  });
});
