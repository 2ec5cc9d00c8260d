import type { Admin, ReassignmentStatus } from '@gregor/client';
import { OutputFormat, formatTable, printJsonLines } from './options';

const POLL_MS = 500;
const BAR_WIDTH = 30;

/** One replica a move adds, with what the CLI worked out between two polls. */
export interface ReplicaCatchUp {
  topic: string;
  partition: number;
  broker: number;
  bytes: number;
  totalBytes: number;
  /** Bytes per second since the previous poll; null on the first. */
  rate: number | null;
  /** Seconds left at that rate; null when unknown. */
  etaSeconds: number | null;
}

/** Catch-up of every replica being added, with rates from the bytes seen at the previous poll. */
export function catchUps(moves: readonly ReassignmentStatus[], previous: ReadonlyMap<string, { bytes: number; at: number }>, now: number): ReplicaCatchUp[] {
  const rows: ReplicaCatchUp[] = [];
  for (const move of moves) {
    for (const added of move.adding) {
      const key = `${move.topic}/${move.partition}/${added.brokerId}`;
      const before = previous.get(key);
      const seconds = before ? (now - before.at) / 1000 : 0;
      const rate = before && seconds > 0 ? Math.max(0, (added.bytes - before.bytes) / seconds) : null;
      const left = Math.max(0, added.totalBytes - added.bytes);
      rows.push({
        topic: move.topic,
        partition: move.partition,
        broker: added.brokerId,
        bytes: added.bytes,
        totalBytes: added.totalBytes,
        rate,
        etaSeconds: left === 0 ? 0 : rate ? left / rate : null,
      });
    }
  }
  return rows;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

function bar(done: number, total: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`;
}

export function catchUpTable(rows: readonly ReplicaCatchUp[]): string {
  return formatTable(
    ['TOPIC', 'PARTITION', 'BROKER', 'PROGRESS', 'CAUGHT-UP', 'RATE', 'ETA'],
    rows.map((r) => [
      r.topic,
      r.partition,
      r.broker,
      bar(r.bytes, r.totalBytes),
      `${mib(r.bytes)} / ${mib(r.totalBytes)}`,
      r.rate === null ? '-' : `${mib(r.rate)}/s`,
      r.etaSeconds === null ? '-' : `${Math.ceil(r.etaSeconds)} s`,
    ]),
  );
}

/**
 * Polls until `done` says the moves it cares about are over, showing each added replica's
 * catch-up: redrawn in place on a terminal, one JSON object per poll with --output json, and
 * nothing on a pipe without it but the final line.
 */
export async function waitForMoves(
  admin: Admin,
  format: OutputFormat,
  relevant: (move: ReassignmentStatus) => boolean,
  done: (moves: ReassignmentStatus[]) => boolean | Promise<boolean>,
): Promise<void> {
  const seen = new Map<string, { bytes: number; at: number }>();
  let drawnLines = 0;
  const tty = process.stderr.isTTY === true;
  for (;;) {
    const moves = (await admin.listReassignments()).reassignments.filter(relevant);
    const now = Date.now();
    const rows = catchUps(moves, seen, now);
    for (const r of rows) seen.set(`${r.topic}/${r.partition}/${r.broker}`, { bytes: r.bytes, at: now });
    if (format === 'json') printJsonLines([{ time: now, moving: moves.length, replicas: rows }]);
    else if (tty) {
      const text = rows.length > 0 ? catchUpTable(rows) : `${moves.length} move(s) finishing\n`;
      process.stderr.write(`${drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[J` : ''}${text}`);
      drawnLines = text.split('\n').length - 1;
    }
    if (await done(moves)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
