/**
 * `npm run bench:metadata`: how long a controller takes to open after BENCH_ENTRIES metadata
 * entries, with snapshots every 10,000 entries (the default) against none, each measured on its
 * own copy of the same history written in this run. Prints one JSON object per line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open } from 'lmdb';
// Not part of the broker's public surface: the bench measures the controller itself, built.
import { ClusterState } from '@gregor/broker/dist/controller/cluster-state';
import { Controller } from '@gregor/broker/dist/controller/controller';
import { silentLogger } from '@gregor/broker/dist/logger';

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 100_000);
const IN_FLIGHT = 256;
const TICK_MS = 10;
const NO_SNAPSHOTS = Number.MAX_SAFE_INTEGER;

async function openController(dir: string, snapshotEveryEntries: number): Promise<{ controller: Controller; close(): Promise<void> }> {
  const db = open({ path: path.join(dir, 'lmdb') });
  const controller = await Controller.open({
    brokerId: 1,
    voters: [1],
    learners: [],
    dir: path.join(dir, 'metadata'),
    state: ClusterState.open(db),
    transport: { send: () => undefined },
    random: () => 0.5,
    electionTick: 3,
    heartbeatTick: 1,
    forward: () => Promise.reject(new Error('a cluster of one forwards nothing')),
    logger: silentLogger,
    snapshotEveryEntries,
  });
  const timer = setInterval(() => controller.replica.tick(), TICK_MS);
  return {
    controller,
    close: async () => {
      clearInterval(timer);
      await controller.close();
      await db.close();
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Writes ENTRIES producer-id allocations, IN_FLIGHT at a time; the seconds it took. */
async function writeHistory(dir: string, snapshotEveryEntries: number): Promise<number> {
  const { controller, close } = await openController(dir, snapshotEveryEntries);
  await until(() => controller.isLeader);
  const started = process.hrtime.bigint();
  for (let done = 0; done < ENTRIES; done += IN_FLIGHT) {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, ENTRIES - done) }, () => controller.propose({ type: 'allocateProducerIds', count: 1 })));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await close();
  return seconds;
}

/** Seconds from opening the controller until it leads again with its state applied. */
async function reopen(dir: string, snapshotEveryEntries: number): Promise<{ seconds: number; logBytes: number }> {
  const started = process.hrtime.bigint();
  const { controller, close } = await openController(dir, snapshotEveryEntries);
  await until(() => controller.isLeader && controller.state.appliedIndex >= ENTRIES);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await close();
  const logDir = path.join(dir, 'metadata');
  const logBytes = fs.readdirSync(logDir).filter((name) => name.endsWith('.log')).reduce((sum, name) => sum + fs.statSync(path.join(logDir, name)).size, 0);
  return { seconds, logBytes };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'gregor-metadata-bench-'));
  try {
    for (const [name, every] of [['snapshots', 10_000], ['no-snapshots', NO_SNAPSHOTS]] as const) {
      const dir = path.join(root, name);
      const writeSeconds = await writeHistory(dir, every);
      const { seconds, logBytes } = await reopen(dir, every);
      process.stdout.write(`${JSON.stringify({ bench: 'metadata.reopen', variant: name, entries: ENTRIES, writeSeconds: Math.round(writeSeconds * 100) / 100, reopenSeconds: Math.round(seconds * 1000) / 1000, logBytes })}\n`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:metadata failed: ${String(err)}\n`);
  process.exit(1);
});
