import { observeSyncs, pendingSyncs } from '@gregor/storage';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerContext } from '../context';
import { toStatus } from '../errors';
import type { PartitionReplica } from '../partition-replica';
import type { PartitionTraffic } from '../partition-traffic';
import type { ReplicatedPartition } from '../replication/replicated-partition';
import { clusterGauges } from './cluster-gauges';
import { groupLagGauge } from './group-lag';

type PartitionLabels = 'topic' | 'partition';

/** Samples of a partition series: labels and value. */
type Rows = Array<[Record<PartitionLabels, string>, number]>;

/** Request latencies from 100 µs to 10 s: a produce acknowledged in a millisecond and a long poll both land in a bucket. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** fdatasync durations from 50 µs (page cache on a fast disk) to 2.5 s (a disk saturated by a move). */
const SYNC_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The label the metadata log's Raft series carry in place of a topic. */
const METADATA_LOG = '__metadata';

const NOTHING_TO_RECORD = (): void => undefined;

/** Every replica this broker holds, with its labels. */
function* replicas(ctx: BrokerContext): Generator<[Record<PartitionLabels, string>, PartitionReplica]> {
  for (const topic of ctx.topics.list()) {
    for (const replica of topic.partitions) if (replica) yield [{ topic: replica.topic, partition: String(replica.partition) }, replica];
  }
}

/**
 * One broker's Prometheus metrics. Partition series are read from the replicas when scraped, so
 * nothing is recorded per record: produce and reads add to a replica's PartitionTraffic, and each
 * request observes one histogram bucket (none when no HTTP port serves them). Until the broker's
 * parts are open a scrape shows only the process.
 */
export class BrokerMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds: Histogram<'method' | 'outcome'>;
  private readonly requestSeriesByName = new Map<string, Histogram.Internal<'method' | 'outcome'>>();
  private readonly openStreams: Gauge<'method'>;

  private readonly recording: boolean;

  constructor(private readonly ctx: BrokerContext) {
    this.recording = ctx.config.metricsPort > 0;
    this.registry.setDefaultLabels({ broker: String(ctx.config.brokerId) });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requestSeconds = new Histogram({
      name: 'gregor_request_duration_seconds',
      help: 'Client requests served, by method and outcome (ok or the error code), and how long each took',
      labelNames: ['method', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.openStreams = new Gauge({ name: 'gregor_open_streams', help: 'Server streams open, by method', labelNames: ['method'], registers });
    // Shown at 0 before the first stream, so a chart of it starts with the broker.
    this.openStreams.set({ method: 'Subscribe' }, 0);
    this.trafficCounter('gregor_partition_records_in_total', 'Records produced to the partition while this broker led it', (t) => t.recordsIn);
    this.trafficCounter('gregor_partition_bytes_in_total', 'Bytes of record batches produced to the partition while this broker led it', (t) => t.bytesIn);
    this.trafficCounter('gregor_partition_records_out_total', 'Records read from the partition by clients while this broker led it', (t) => t.recordsOut);
    this.trafficCounter('gregor_partition_bytes_out_total', 'Bytes of record batches read from the partition by clients while this broker led it', (t) => t.bytesOut);
    this.replicaGauge('gregor_partition_high_watermark', 'Offset after the last committed record, as this replica knows it', (r) => r.highWatermark);
    this.replicaGauge('gregor_partition_log_start_offset', 'First offset this replica still holds', (r) => r.logStartOffset);
    this.replicaGauge('gregor_partition_log_end_offset', 'Offset after the last record in this replica, committed or not', (r) => r.logEndOffset);
    this.replicaGauge('gregor_partition_log_size_bytes', 'Bytes of segment files of this replica', (r) => r.replication.sizeInBytes);
    this.replicaGauge('gregor_partition_leader', '1 where this broker leads the partition, else 0', (r) => (r.replication.isLeader ? 1 : 0));
    this.replicaGauge('gregor_partition_leader_epoch', "The Raft term this replica is in: the leader epoch its leader's batches carry", (r) => r.replication.term);
    this.replicaGauge('gregor_replica_lag_records', 'Committed records this replica does not hold yet (0 on a leader)', (r) => Math.max(0, r.highWatermark - r.logEndOffset));
    this.raftCounter('gregor_raft_leader_changes_total', 'Leaders the replica has come to know of since it opened', (r) => r.leaderChanges);
    this.raftCounter('gregor_raft_elections_total', 'Elections the replica has stood in as a candidate since it opened', (r) => r.electionsStarted);
    this.raftGauge('gregor_raft_term', 'The Raft term the replica is in', (r) => r.term);
    this.raftGauge('gregor_raft_commit_index', 'The last Raft index the replica knows committed', (r) => r.node.status().commit);
    const syncSeconds = new Histogram({ name: 'gregor_log_fsync_duration_seconds', help: 'How long each fdatasync of a log segment took', buckets: SYNC_BUCKETS, registers });
    if (this.recording) observeSyncs((seconds) => syncSeconds.observe(seconds));
    const syncsPending: Gauge = new Gauge({ name: 'gregor_log_fsyncs_in_flight', help: 'fdatasyncs of log segments started and not yet finished', registers, collect: () => syncsPending.set(pendingSyncs()) });
    clusterGauges(ctx, registers);
    groupLagGauge(ctx, registers);
  }

  /** Stops taking fsync timings (the broker is stopping). */
  close(): void {
    if (this.recording) observeSyncs(null);
  }

  /** A request begins; the function returned ends it, with the error it failed with if it did. */
  startRequest(method: string): (err?: unknown) => void {
    if (!this.recording) return NOTHING_TO_RECORD;
    const started = performance.now();
    return (err) => this.requestSeries(method, err === undefined ? 'ok' : (toStatus(err).reason ?? 'INTERNAL')).observe((performance.now() - started) / 1000);
  }

  /** One series per method and outcome, looked up once rather than its labels hashed on every request. */
  private requestSeries(method: string, outcome: string): Histogram.Internal<'method' | 'outcome'> {
    const name = `${method} ${outcome}`;
    let series = this.requestSeriesByName.get(name);
    if (!series) this.requestSeriesByName.set(name, (series = this.requestSeconds.labels({ method, outcome })));
    return series;
  }

  /** A server stream opens; the function returned closes it. */
  streamOpened(method: string): () => void {
    if (!this.recording) return NOTHING_TO_RECORD;
    this.openStreams.inc({ method });
    return () => this.openStreams.dec({ method });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A counter whose every sample is read from `rows` when scraped. */
  private counterOf(name: string, help: string, rows: () => Rows): void {
    const counter: Counter<PartitionLabels> = new Counter({
      name,
      help,
      labelNames: ['topic', 'partition'],
      registers: [this.registry],
      collect() {
        counter.reset();
        for (const [labels, value] of rows()) counter.inc(labels, value);
      },
    });
  }

  /** A gauge whose every sample is read from `rows` when scraped. */
  private gaugeOf(name: string, help: string, rows: () => Rows): void {
    const gauge: Gauge<PartitionLabels> = new Gauge({
      name,
      help,
      labelNames: ['topic', 'partition'],
      registers: [this.registry],
      collect() {
        gauge.reset();
        for (const [labels, value] of rows()) gauge.set(labels, value);
      },
    });
  }

  /** Counts of a leader's traffic; a follower's zeros are left out. */
  private trafficCounter(name: string, help: string, value: (traffic: PartitionTraffic) => number): void {
    this.counterOf(name, help, () =>
      opened(this.ctx)
        .filter(([, r]) => value(r.traffic) > 0 || r.replication.isLeader)
        .map(([labels, r]) => [labels, value(r.traffic)]),
    );
  }

  private replicaGauge(name: string, help: string, value: (replica: PartitionReplica) => number): void {
    this.gaugeOf(name, help, () => opened(this.ctx).map(([labels, r]) => [labels, value(r)]));
  }

  private raftCounter(name: string, help: string, value: (replica: ReplicatedPartition) => number): void {
    this.counterOf(name, help, () => raftGroups(this.ctx).map(([labels, r]) => [labels, value(r)]));
  }

  private raftGauge(name: string, help: string, value: (replica: ReplicatedPartition) => number): void {
    this.gaugeOf(name, help, () => raftGroups(this.ctx).map(([labels, r]) => [labels, value(r)]));
  }
}

/** The replicas, or none while the broker is starting. */
function opened(ctx: BrokerContext): Array<[Record<PartitionLabels, string>, PartitionReplica]> {
  try {
    return [...replicas(ctx)];
  } catch {
    return [];
  }
}

/** Every Raft group this broker is a member of: its replicas' and the metadata log's. */
function raftGroups(ctx: BrokerContext): Array<[Record<PartitionLabels, string>, ReplicatedPartition]> {
  const groups: Array<[Record<PartitionLabels, string>, ReplicatedPartition]> = [];
  for (const [labels, replica] of opened(ctx)) groups.push([labels, replica.replication]);
  try {
    groups.push([{ topic: METADATA_LOG, partition: '0' }, ctx.cluster.controller.replica]);
  } catch {
    // Starting: no metadata log yet.
  }
  return groups;
}
