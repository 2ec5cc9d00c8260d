import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '@gregor/records';
import type { ConfState, HardState, SnapshotMeta } from '@gregor/raft';
import { replaceFile } from '@gregor/storage';

const HARD_STATE_FILE = 'raft-state';
const SNAPSHOT_FILE = 'raft-snapshot.json';
const SLOT_BYTES = 32;

interface StoredSnapshot {
  lastIndex: number;
  term: number;
  config: ConfState;
  resetLog?: boolean;
}

/**
 * A replica's durable Raft state beside its log. The hard state (term, vote, commit) is written
 * in place into one of two fixed slots, alternating, each with a sequence number and CRC, so a
 * torn write leaves the other slot intact. The snapshot point (the index just before the log's
 * first batch, its term and the membership there) changes rarely and is replaced by rename; a
 * snapshot install marks it as owing a log reset until the log is reset (see snapshot-install.ts).
 */
export class ReplicaStateStore {
  private sequence: number;
  private fd: number;
  private readonly slot = Buffer.alloc(SLOT_BYTES);

  private constructor(
    private readonly dir: string,
    private hard: HardState,
    private snapshot: SnapshotMeta,
    private resetPending: boolean,
    sequence: number,
  ) {
    this.sequence = sequence;
    this.fd = fs.openSync(path.join(dir, HARD_STATE_FILE), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  }

  /** Opens the state in `dir`, or starts it at `initial` (a new replica whose log begins there). */
  static open(dir: string, initial: SnapshotMeta): ReplicaStateStore {
    fs.mkdirSync(dir, { recursive: true });
    const saved = readSnapshot(dir);
    const snapshot = saved?.meta ?? initial;
    const stored = readHardState(dir);
    const hard = stored?.hardState ?? { term: snapshot.term, vote: 0, commit: snapshot.lastIndex };
    const store = new ReplicaStateStore(dir, hard, snapshot, saved?.resetLog ?? false, stored?.sequence ?? 0);
    if (!saved) store.saveSnapshot(snapshot);
    return store;
  }

  get hardState(): HardState {
    return this.hard;
  }

  get snapshotMeta(): SnapshotMeta {
    return this.snapshot;
  }

  /** The snapshot point was moved by an install whose log reset may not have happened yet. */
  get logResetPending(): boolean {
    return this.resetPending;
  }

  /** Term and vote changes must be `durable` before any message depending on them leaves; commit-only changes need not be. */
  saveHardState(hard: HardState, durable: boolean): void {
    this.sequence++;
    const slot = this.slot;
    slot.writeUInt32BE(this.sequence >>> 0, 0);
    slot.writeDoubleBE(hard.term, 4);
    slot.writeDoubleBE(hard.vote, 12);
    slot.writeDoubleBE(hard.commit, 20);
    slot.writeUInt32BE(crc32c(slot.subarray(0, 28)), 28);
    fs.writeSync(this.fd, slot, 0, SLOT_BYTES, (this.sequence % 2) * SLOT_BYTES);
    if (durable) fs.fdatasyncSync(this.fd);
    this.hard = hard;
  }

  saveSnapshot(meta: SnapshotMeta): void {
    this.writeSnapshot(meta, false);
  }

  /** Moves the snapshot point to `meta`, marked as still owing a log reset: a snapshot install's commit point. */
  saveSnapshotBeforeLogReset(meta: SnapshotMeta): void {
    this.writeSnapshot(meta, true);
  }

  private writeSnapshot(meta: SnapshotMeta, resetLog: boolean): void {
    const stored: StoredSnapshot = resetLog ? { ...meta, resetLog } : meta;
    replaceFile(this.dir, SNAPSHOT_FILE, JSON.stringify(stored), 'all');
    this.snapshot = meta;
    this.resetPending = resetLog;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function readHardState(dir: string): { hardState: HardState; sequence: number } | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(dir, HARD_STATE_FILE));
  } catch {
    return null;
  }
  let best: { hardState: HardState; sequence: number } | null = null;
  for (let at = 0; at + SLOT_BYTES <= bytes.length; at += SLOT_BYTES) {
    const slot = bytes.subarray(at, at + SLOT_BYTES);
    if (crc32c(slot.subarray(0, 28)) !== slot.readUInt32BE(28)) continue;
    const sequence = slot.readUInt32BE(0);
    if (best && best.sequence >= sequence) continue;
    best = { sequence, hardState: { term: slot.readDoubleBE(4), vote: slot.readDoubleBE(12), commit: slot.readDoubleBE(20) } };
  }
  return best;
}

function readSnapshot(dir: string): { meta: SnapshotMeta; resetLog: boolean } | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, SNAPSHOT_FILE), 'utf8')) as StoredSnapshot;
    return { meta: { lastIndex: parsed.lastIndex, term: parsed.term, config: parsed.config }, resetLog: parsed.resetLog === true };
  } catch {
    return null;
  }
}
