import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Entry, SnapshotMeta } from '@gregor/raft';
import { encodeBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { PartitionRaftStorage } from '../../src/replication/partition-raft-storage';
import { ReplicaStateStore } from '../../src/replication/replica-state-store';
import { InstallStep, installSnapshot } from '../../src/replication/snapshot-install';

const CHILD = path.resolve(__dirname, '../../dist-tools/test/fixtures/snapshot-install-child.js');
// As the child opens it.
const LOG_CONFIG = { flush: { kind: 'always' as const }, segmentBytes: 1024 };
const OLD_POINT: SnapshotMeta = { lastIndex: 0, term: 0, config: { voters: [1, 2, 3], learners: [] } };
const NEW_POINT: SnapshotMeta = { lastIndex: 500, term: 4, config: { voters: [1, 2, 3], learners: [7] } };
const STEPS: InstallStep[] = ['point-saved', 'log-reset', 'mark-cleared'];

class Crash extends Error {}

/** The normal entry of a `count`-record batch at `baseOffset`, as a leader stamps it. */
function entryAt(baseOffset: number, count: number, term: number): Entry {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`value ${baseOffset + i}`.padEnd(64, '.')) }));
  const data = encodeBatch(records, { baseOffset, partitionLeaderEpoch: term });
  return { term, firstIndex: baseOffset + 1, lastIndex: baseOffset + count, type: 'normal', data };
}

interface Replica {
  log: PartitionLog;
  storage: PartitionRaftStorage;
}

async function openReplica(dir: string): Promise<Replica> {
  const log = await PartitionLog.open(dir, LOG_CONFIG);
  return { log, storage: new PartitionRaftStorage(log, ReplicaStateStore.open(dir, OLD_POINT)) };
}

async function logBytes(log: PartitionLog): Promise<Buffer> {
  return (await log.read(log.logStartOffset, 1 << 20)).bytes;
}

/** What a reopened replica holds: its snapshot point, whether it still owes a reset, and its log. */
async function stateOf({ log, storage }: Replica): Promise<{ point: SnapshotMeta; pending: boolean; start: number; end: number; bytes: Buffer }> {
  return { point: storage.state.snapshotMeta, pending: storage.state.logResetPending, start: log.logStartOffset, end: log.logEndOffset, bytes: await logBytes(log) };
}

describe('snapshot install across a crash', () => {
  let dir: string;
  let oldBytes: Buffer;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-snapshot-install-'));
    const { log, storage } = await openReplica(dir);
    for (let base = 0; base < 40; base += 4) await storage.append([entryAt(base, 4, 2)]);
    oldBytes = await logBytes(log);
    expect(log.segmentCount).toBeGreaterThan(2);
    storage.state.close();
    await log.close();
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const oldState = (): object => ({ point: OLD_POINT, pending: false, start: 0, end: 40, bytes: oldBytes });
  const newState = { point: NEW_POINT, pending: false, start: 500, end: 500, bytes: Buffer.alloc(0) };

  /** Runs an install that dies after `step` (a crash leaves the files as they are: nothing is closed), then reopens the directory. */
  async function crashAfter(step: InstallStep | null, beforeCrash: () => void = () => undefined): Promise<Replica> {
    const { log, storage } = await openReplica(dir);
    const crash = (at: InstallStep): void => {
      if (at !== step) return;
      beforeCrash();
      throw new Crash(at);
    };
    if (step === null) beforeCrash();
    else expect(() => installSnapshot(log, storage.state, NEW_POINT, crash)).toThrow(Crash);
    return openReplica(dir);
  }

  it('keeps the old log and point when the crash comes before the new point is renamed into place', async () => {
    // Writing the marked point's temporary is all an install does before its commit point.
    const reopened = await crashAfter(null, () => fs.writeFileSync(path.join(dir, 'raft-snapshot.json.tmp'), JSON.stringify({ ...NEW_POINT, resetLog: true })));
    expect(await stateOf(reopened)).toEqual(oldState());
  });

  it.each(STEPS)('opens to the new point over an empty log when the crash comes after %s', async (step) => {
    expect(await stateOf(await crashAfter(step))).toEqual(newState);
  });

  it('finishes a reset the crash cut off after it deleted some of the old segments', async () => {
    const oldest = fs.readdirSync(dir).filter((name) => name.startsWith(String(0).padStart(20, '0')));
    expect(oldest.length).toBeGreaterThan(0);
    const reopened = await crashAfter('point-saved', () => oldest.forEach((name) => fs.rmSync(path.join(dir, name))));
    expect(await stateOf(reopened)).toEqual(newState);
  });

  it.each(STEPS)('opens to the new point over an empty log when a SIGKILL stops the install after %s', async (step) => {
    expect(fs.existsSync(CHILD)).toBe(true);
    const child = spawn(process.execPath, [CHILD, dir, JSON.stringify(OLD_POINT), JSON.stringify(NEW_POINT), step], { stdio: ['ignore', 'ignore', 'inherit'] });
    const signal = await new Promise((resolve) => child.once('exit', (_code, killedBy) => resolve(killedBy)));
    expect(signal).toBe('SIGKILL');
    expect(await stateOf(await openReplica(dir))).toEqual(newState);
  });

  it('takes appends after the new point once reopened', async () => {
    const { log, storage } = await crashAfter('point-saved');
    expect(storage.firstIndex()).toBe(501);
    expect(storage.term(500)).toBe(4);
    await storage.append([entryAt(500, 2, 4)]);
    expect(log.logEndOffset).toBe(502);
  });
});
