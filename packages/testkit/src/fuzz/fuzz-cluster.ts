import * as grpc from '@grpc/grpc-js';
import { Admin, Producer } from '@gregor/client';
import { services } from '@gregor/proto';
import { encodeBatch } from '@gregor/records';
import { LocalCluster, startCluster } from '../cluster';
import { waitFor } from '../wait-for';
import { FuzzReport, FuzzTarget, runFuzz } from './run-fuzz';

/** The services a broker serves on its client port, and on its peer port. */
export const FUZZED_CLIENT_SERVICES = ['gregor.v1.Log', 'gregor.v1.Admin', 'gregor.v1.Groups', 'grpc.health.v1.Health'] as const;
export const FUZZED_PEER_SERVICES = ['gregor.v1.Peer', 'gregor.v1.Groups'] as const;

/**
 * What to fuzz on each broker of the cluster: its client port; its peer port as a stranger (no
 * broker id, refused before the request is read); and its peer port as a member of the cluster.
 */
export function fuzzTargets(cluster: LocalCluster): FuzzTarget[] {
  return cluster.ids.flatMap((id) => [
    { address: cluster.address(id), services: FUZZED_CLIENT_SERVICES },
    { address: cluster.peerAddress(id), services: FUZZED_PEER_SERVICES },
    { address: cluster.peerAddress(id), services: FUZZED_PEER_SERVICES, peerId: id },
  ]);
}

/** Written before the fuzzing starts and never named by a fuzzed request. */
export const REFERENCE_TOPIC = 'fuzz-reference-do-not-touch';
const REFERENCE_PARTITIONS = 3;
/** Names the generated requests use: existing topics, groups, and names that are not. */
const FUZZ_TOPICS = ['fz-a', 'fz-b', 'fz-c'];
const FUZZ_NAMES = [...FUZZ_TOPICS, 'fz-group', 'fz-missing', '', '.', '__consumer_offsets', 'x'.repeat(250)];

export interface FuzzClusterResult {
  report: FuzzReport;
  /** Brokers not running, or not SERVING health checks, after the run. */
  deadBrokers: number[];
  /** Partitions of the reference topic whose bytes differ from before the run. */
  changedPartitions: number[];
  /** The last warnings and errors each broker logged, to tell what went wrong. */
  brokerWarnings: Record<number, Array<Record<string, unknown>>>;
}

function fetchFrom(address: string, topic: string, partition: number): Promise<Buffer> {
  const client = new services.Log(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  return new Promise<Buffer>((resolve, reject) => {
    client.Fetch({ topic, partition, offset: 0, maxBytes: 64 << 20 }, { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null, res: { records: Buffer }) => {
      client.close();
      if (err) reject(err);
      else resolve(res.records);
    });
  });
}

/** A partition's bytes as its leader serves them, asked of each broker in turn. */
async function partitionBytes(cluster: LocalCluster, partition: number): Promise<Buffer> {
  return waitFor(async () => {
    for (const id of cluster.ids) {
      const bytes = await fetchFrom(cluster.address(id), REFERENCE_TOPIC, partition).catch(() => null);
      if (bytes) return bytes;
    }
    return null;
  }, 30_000, `a leader of ${REFERENCE_TOPIC}-${partition}`);
}

function healthy(address: string): Promise<boolean> {
  const client = new services.Health(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.Check({}, { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null, res: { status: string }) => {
      client.close();
      resolve(!err && res.status === 'SERVING');
    });
  });
}

/** Deletes the topics the fuzzer created under names of its own making, so a long run stays small. */
async function removeStrayTopics(admin: Admin): Promise<void> {
  for (const topic of await admin.listTopics().catch(() => [])) {
    if (topic.name === REFERENCE_TOPIC || topic.name.startsWith('__') || FUZZ_TOPICS.includes(topic.name)) continue;
    await admin.deleteTopic(topic.name).catch(() => undefined);
  }
}

export interface FuzzClusterOptions {
  requests: number;
  seed: number;
  concurrency?: number;
  onRound?: (sent: number) => void;
}

/**
 * Starts three brokers, writes the reference topic, sends `requests` fuzzed requests to every
 * public and peer RPC of every broker, then checks that each broker is alive and the reference
 * topic's bytes are unchanged. The cluster is removed afterwards.
 */
export async function fuzzCluster(options: FuzzClusterOptions): Promise<FuzzClusterResult> {
  // Small limits keep what fuzzed requests create (topics, long polls) cheap on a shared machine.
  const cluster = await startCluster({
    brokers: 3,
    config: { 'fetch-max-wait-ms': 50, 'max-partitions-per-topic': 4, 'log-preallocate-bytes': 0, 'offsets-topic-partitions': 1 },
  });
  const admin = new Admin({ brokers: cluster.bootstrap });
  try {
    await waitFor(() => admin.createTopic(REFERENCE_TOPIC, { partitions: REFERENCE_PARTITIONS, replicationFactor: 3 }).then(() => true), 30_000, 'the reference topic');
    for (const topic of FUZZ_TOPICS) await admin.createTopic(topic, { partitions: 2 }).catch(() => undefined);
    const producer = new Producer({ brokers: cluster.bootstrap, acks: 'all' });
    for (let i = 0; i < 300; i++) await producer.send(REFERENCE_TOPIC, { key: `k${i}`, value: `reference record ${i}` });
    await producer.close();
    const before = await Promise.all(Array.from({ length: REFERENCE_PARTITIONS }, (_, p) => partitionBytes(cluster, p)));

    const batches = [encodeBatch([{ key: null, value: Buffer.from('fuzz') }]), encodeBatch([{ key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: null }] }])];
    const report = await runFuzz({
      targets: fuzzTargets(cluster),
      requests: options.requests,
      seed: options.seed,
      concurrency: options.concurrency,
      pools: { strings: FUZZ_NAMES, batches },
      betweenRounds: async (sent) => {
        await removeStrayTopics(admin);
        options.onRound?.(sent);
      },
    });

    const deadBrokers: number[] = [];
    for (const id of cluster.ids) if (!cluster.isRunning(id) || !(await healthy(cluster.address(id)))) deadBrokers.push(id);
    const changedPartitions: number[] = [];
    for (let p = 0; p < REFERENCE_PARTITIONS; p++) {
      // A partition no broker serves any more counts as changed, so the report still comes out.
      const after = await partitionBytes(cluster, p).catch(() => Buffer.alloc(0));
      // A leader elected during the run may append a no-op after the records; what was there stays.
      if (!after.subarray(0, before[p].length).equals(before[p])) changedPartitions.push(p);
    }
    const brokerWarnings: FuzzClusterResult['brokerWarnings'] = {};
    for (const id of cluster.ids) brokerWarnings[id] = cluster.broker(id).logs.filter((l) => l.level === 'warn' || l.level === 'error').slice(-10);
    return { report, deadBrokers, changedPartitions, brokerWarnings };
  } finally {
    admin.close();
    await cluster.cleanup();
  }
}
