/**
 * Moving a partition, on local broker processes (3, then a 4th that joins):
 *   1. the disk's sequential write rate here (1 GiB written and fsynced in 1 MiB chunks);
 *   2. a partition of --gib GiB (default 1, RF 3) moved onto the new broker unthrottled, then back
 *      with --throttle (default 50 MB/s): time and rate of each move;
 *   3. produce latency (acks=all, one record at a time) of another partition while idle and
 *      during each move: p99 and its ratio to idle's, from the same run.
 *
 *   npm run bench:reassign [-- --gib 1 --throttle 50]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Admin, Producer } from '@gregor/client';
import { startCluster, waitFor } from '@gregor/testkit';
import { median, percentile } from './percentiles';

const MIB = 1024 * 1024;
const VALUE_BYTES = 64 * 1024;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** MiB/s of writing `bytes` sequentially and fsyncing, as a log segment is written. */
function diskWriteRate(dir: string, bytes: number): number {
  const file = path.join(dir, 'disk-rate.bin');
  const chunk = Buffer.alloc(MIB, 7);
  const fd = fs.openSync(file, 'w');
  const started = process.hrtime.bigint();
  for (let written = 0; written < bytes; written += chunk.length) {
    fs.writeSync(fd, chunk);
    if (written % (64 * MIB) === 0) fs.fsyncSync(fd);
  }
  fs.fsyncSync(fd);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.closeSync(fd);
  fs.rmSync(file);
  return bytes / MIB / seconds;
}

/** Sends one small record at a time and keeps each acknowledgement's latency while `sampling` is set. */
function latencyProbe(bootstrap: string, topic: string) {
  const producer = new Producer({ brokers: bootstrap, lingerMs: 0, retryBackoffMaxMs: 200 });
  let window = null as number[] | null;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = process.hrtime.bigint();
      await producer.send(topic, { value: 'x', partition: 0 }).catch(() => undefined);
      window?.push(Number(process.hrtime.bigint() - started) / 1e6);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    start(): void {
      window = [];
    },
    take(): number[] {
      const taken = window ?? [];
      window = null;
      return taken.sort((a, b) => a - b);
    },
    async stop(): Promise<void> {
      running = false;
      await loop;
      await producer.close();
    },
  };
}

async function fill(bootstrap: string, topic: string, bytes: number): Promise<void> {
  const producer = new Producer({ brokers: bootstrap, lingerMs: 5 });
  const value = Buffer.alloc(VALUE_BYTES, 'v');
  const inFlight: Promise<unknown>[] = [];
  for (let sent = 0; sent < bytes; sent += VALUE_BYTES) {
    inFlight.push(producer.send(topic, { value, partition: 0 }));
    if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await producer.close();
}

async function move(admin: Admin, topic: string, replicas: number[], throttle: number): Promise<number> {
  const started = Date.now();
  await admin.reassignPartitions([{ topic, partition: 0, replicas }], throttle);
  await waitFor(async () => (await admin.listReassignments()).reassignments.length === 0, 3_600_000, `move of ${topic} to ${replicas}`, 200);
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const gib = flag('gib', 1);
  const throttle = flag('throttle', 50);
  const bytes = Math.round(gib * 1024 * MIB);
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-bench-reassign-'));
  const disk = diskWriteRate(dataRoot, 1024 * MIB);
  process.stdout.write(`disk: sequential write + fsync ${disk.toFixed(0)} MiB/s\n`);

  const cluster = await startCluster({ brokers: 3, dataRoot, startTimeoutMs: 60_000 });
  const admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 30_000 });
  let probe: ReturnType<typeof latencyProbe> | undefined;
  try {
    await waitFor(() => admin.createTopic('big', { partitions: 1, replicationFactor: 3 }).catch(() => null), 30_000, 'topic big');
    await waitFor(() => admin.createTopic('latency', { partitions: 1, replicationFactor: 3 }).catch(() => null), 30_000, 'topic latency');
    const filling = Date.now();
    await fill(cluster.bootstrap, 'big', bytes);
    process.stdout.write(`filled big-0 with ${gib} GiB in ${((Date.now() - filling) / 1000).toFixed(1)} s\n`);
    await cluster.join(4);
    await waitFor(async () => (await admin.describeCluster()).brokers.some((b) => b.id === 4 && b.alive), 30_000, 'broker 4 registered');

    const status = (await admin.describeCluster()).partitions.find((p) => p.topic === 'big')!;
    const original = status.replicas;
    // A follower's replica moves, so the copy comes from the leader while it keeps serving.
    const leaving = original.find((id) => id !== status.leader)!;
    const onto4 = original.map((id) => (id === leaving ? 4 : id));

    probe = latencyProbe(cluster.bootstrap, 'latency');
    await waitFor(async () => (await admin.listOffsets('latency', 'latest'))[0].highWatermark > 50, 30_000, 'latency probe running');
    probe.start();
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const idle = probe.take();

    probe.start();
    const unthrottled = await move(admin, 'big', onto4, 0);
    const duringUnthrottled = probe.take();
    probe.start();
    const throttled = await move(admin, 'big', original, throttle);
    const duringThrottled = probe.take();

    const rate = (seconds: number) => bytes / MIB / seconds;
    const p99 = (sorted: number[]) => percentile(sorted, 0.99);
    const rows = [
      ['idle', '-', '-', idle],
      ['unthrottled move', unthrottled, rate(unthrottled), duringUnthrottled],
      [`move --throttle ${throttle}`, throttled, rate(throttled), duringThrottled],
    ] as const;
    process.stdout.write(`\n${'phase'.padEnd(24)}${'move s'.padStart(8)}${'MiB/s'.padStart(8)}${'samples'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'p99/idle'.padStart(10)}\n`);
    for (const [phase, seconds, mibps, samples] of rows) {
      process.stdout.write(
        `${phase.padEnd(24)}${String(typeof seconds === 'number' ? seconds.toFixed(1) : seconds).padStart(8)}${String(typeof mibps === 'number' ? mibps.toFixed(0) : mibps).padStart(8)}` +
          `${String(samples.length).padStart(9)}${median(samples).toFixed(1).padStart(9)}${p99(samples).toFixed(1).padStart(9)}${(p99(samples) / p99(idle)).toFixed(2).padStart(10)}\n`,
      );
    }
    process.stdout.write(`\nunthrottled move rate / disk write rate: ${(rate(unthrottled) / disk).toFixed(2)} (target >= 0.5)\n`);
    process.stdout.write(`produce p99 during the throttled move / idle: ${(p99(duringThrottled) / p99(idle)).toFixed(2)} (target <= 1.5)\n`);
  } finally {
    await probe?.stop();
    admin.close();
    await cluster.cleanup();
    fs.rmSync(dataRoot, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:reassign failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
