import * as fs from 'node:fs';
import * as path from 'node:path';
import { BatchHeader, setBaseOffset } from '@gregor/records';
import type { HeaderState, LogConfig, PartitionLog } from '../src';
import { readStateSnapshot, writeStateSnapshot } from '../src/state-snapshots';
import { makeBatch, openLog, segmentFiles, tempDir } from './helpers';

/** The base offsets of the batches seen, and how many were applied since the last restore. */
class OffsetsSeen implements HeaderState {
  offsets: number[] = [];
  applied = 0;
  constructor(private readonly rejects: (bytes: Buffer) => boolean = () => false) {}
  apply(header: BatchHeader): void {
    this.offsets.push(header.baseOffset);
    this.applied++;
  }
  snapshot(): Buffer {
    return Buffer.from(JSON.stringify(this.offsets));
  }
  restore(snapshot: Buffer | null): void {
    if (snapshot !== null && this.rejects(snapshot)) throw new Error('unreadable');
    this.offsets = snapshot === null ? [] : (JSON.parse(snapshot.toString()) as number[]);
    this.applied = 0;
  }
}

const BATCH = makeBatch(2, { valueBytes: 200 });
/** Three batches of two records a segment: segments begin at offsets 0, 6, 12, 18, ... */
const CONFIG: Partial<LogConfig> = { segmentBytes: BATCH.length * 3 };

function evens(below: number): number[] {
  return Array.from({ length: below / 2 }, (_, i) => i * 2);
}

async function trackedLog(dir: string, batches: number, state = new OffsetsSeen()): Promise<{ log: PartitionLog; state: OffsetsSeen }> {
  const log = await openLog(dir, CONFIG);
  log.track(state);
  for (let i = 0; i < batches; i++) await log.append(makeBatch(2, { valueBytes: 200 }));
  return { log, state };
}

function snapshotted(dir: string, offset: number): number[] | null {
  const bytes = readStateSnapshot(dir, offset);
  return bytes && (JSON.parse(bytes.toString()) as number[]);
}

/** Changes the last digit of the state a snapshot holds: it still parses, so only the CRC can tell. */
function corrupt(dir: string, offset: number): void {
  const file = path.join(dir, `${String(offset).padStart(20, '0')}.snapshot`);
  const bytes = fs.readFileSync(file);
  const digit = bytes.length - 2;
  bytes[digit] = bytes[digit] === 0x39 ? 0x30 : bytes[digit] + 1;
  fs.writeFileSync(file, bytes);
}

describe('a log tracking state folded from batch headers', () => {
  it('snapshots the state at each roll and, reopened after a crash, replays only the active segment', async () => {
    const dir = tempDir();
    const { state } = await trackedLog(dir, 10);
    expect(state.offsets).toEqual(evens(20));
    expect(segmentFiles(dir, '.snapshot')).toEqual(['00000000000000000006.snapshot', '00000000000000000012.snapshot', '00000000000000000018.snapshot']);
    expect(snapshotted(dir, 12)).toEqual(evens(12));

    // No close: the next open must treat the directory as an unclean stop.
    const { log: reopened, state: again } = await trackedLog(dir, 0);
    expect(reopened.openReport.cleanShutdown).toBe(false);
    expect(again.offsets).toEqual(evens(20));
    expect(again.applied).toBe(1);
    await reopened.close();
  });

  it('snapshots the log end at a clean close, so reopening reads no batch, until a truncation deletes it', async () => {
    const dir = tempDir();
    await (await trackedLog(dir, 10)).log.close();
    expect(snapshotted(dir, 20)).toEqual(evens(20));
    const { log, state } = await trackedLog(dir, 0);
    expect(state.offsets).toEqual(evens(20));
    expect(state.applied).toBe(0);

    await log.truncateTo(19);
    expect(state.offsets).toEqual(evens(18));
    expect(segmentFiles(dir, '.snapshot')).toEqual(['00000000000000000006.snapshot', '00000000000000000012.snapshot', '00000000000000000018.snapshot']);
    await log.append(makeBatch(2, { valueBytes: 200 }));
    // Reopened after a crash, it rebuilds from the segment snapshots alone.
    const { log: crashed, state: rebuilt } = await trackedLog(dir, 0);
    expect(rebuilt.offsets).toEqual(evens(20));
    expect(rebuilt.applied).toBe(1);
    await crashed.close();
  });

  it('snapshots at a roll in the middle of one multi-batch append what came before it', async () => {
    const dir = tempDir();
    const { log, state } = await trackedLog(dir, 1);
    const batches = Array.from({ length: 4 }, (_, i) => {
      const batch = makeBatch(2, { valueBytes: 200 });
      setBaseOffset(batch, 0, 2 + i * 2);
      return batch;
    });
    await log.appendAsFollower(Buffer.concat(batches));
    expect(snapshotted(dir, 6)).toEqual([0, 2, 4]);
    expect(state.offsets).toEqual(evens(10));
    await log.close();
  });

  it('on truncation deletes the snapshots above the cut and rebuilds from the newest one left', async () => {
    const dir = tempDir();
    const { log, state } = await trackedLog(dir, 10);
    await log.truncateTo(13);
    expect(state.offsets).toEqual(evens(12));
    expect(state.applied).toBe(0);
    expect(segmentFiles(dir, '.snapshot')).toEqual(['00000000000000000006.snapshot', '00000000000000000012.snapshot']);

    await log.truncateTo(7);
    expect(state.offsets).toEqual(evens(6));
    expect(segmentFiles(dir, '.snapshot')).toEqual(['00000000000000000006.snapshot']);

    for (let i = 0; i < 4; i++) await log.append(makeBatch(2, { valueBytes: 200 }));
    expect(state.offsets).toEqual(evens(14));
    expect(snapshotted(dir, 12)).toEqual(evens(12));
    await log.close();
  });

  it('falls back to an older snapshot when the newest is corrupt or unreadable, and to a full scan when none is left', async () => {
    const dir = tempDir();
    await (await trackedLog(dir, 10)).log.close();
    corrupt(dir, 20);
    corrupt(dir, 18);
    const { log, state } = await trackedLog(dir, 0, new OffsetsSeen((bytes) => bytes.toString() === JSON.stringify(evens(12))));
    expect(state.offsets).toEqual(evens(20));
    expect(state.applied).toBe(7);
    // The active segment's snapshot was written again, so the next open reads only that segment.
    expect(snapshotted(dir, 18)).toEqual(evens(18));
    await log.close();

    for (const offset of [6, 12, 18, 20]) corrupt(dir, offset);
    const { log: rescanned, state: scanned } = await trackedLog(dir, 0);
    expect(scanned.offsets).toEqual(evens(20));
    expect(scanned.applied).toBe(10);
    await rescanned.close();
  });

  it('deletes the snapshots of segments retention removes, keeping what the state knew of them', async () => {
    const dir = tempDir();
    const { log } = await trackedLog(dir, 10);
    log.updateConfig({ retentionBytes: BATCH.length * 4, retentionMs: -1 });
    expect(await log.applyRetention()).toBe(2);
    expect(segmentFiles(dir, '.snapshot')).toEqual(['00000000000000000012.snapshot', '00000000000000000018.snapshot']);
    await log.close();

    const { log: reopened, state } = await trackedLog(dir, 0);
    expect(state.offsets).toEqual(evens(20));
    await reopened.close();
  });

  it('removes on open a snapshot where no segment begins', async () => {
    const dir = tempDir();
    await (await trackedLog(dir, 4)).log.close();
    writeStateSnapshot(dir, 10, Buffer.from('[]'));
    const log = await openLog(dir, CONFIG);
    expect(segmentFiles(dir, '.snapshot')).toEqual(['00000000000000000006.snapshot', '00000000000000000008.snapshot']);
    await log.close();
  });

  it('empties the state and its snapshots when the log is reset', async () => {
    const dir = tempDir();
    const { log, state } = await trackedLog(dir, 10);
    await log.resetTo(100);
    expect(state.offsets).toEqual([]);
    expect(segmentFiles(dir, '.snapshot')).toEqual([]);
    await log.append(makeBatch(2));
    expect(state.offsets).toEqual([100]);
    await log.close();
  });
});
