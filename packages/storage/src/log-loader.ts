import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLEAN_SHUTDOWN_FILE, readRecoveryPoint } from './checkpoint-files';
import { recoverSwaps } from './cleaner/segment-swap';
import { LogConfig } from './config';
import { syncDirectory } from './file-io';
import { MIN_AHEAD_BYTES } from './reserve-ahead';
import { LogSegment } from './segment';
import { LOG_SUFFIX, parseSegmentFileName, removeSegmentFiles } from './segment-files';
import { removeOrphanSnapshots } from './state-snapshots';

export interface OpenReport {
  /** The log was closed cleanly, so only its indexes and last few batches were read. */
  cleanShutdown: boolean;
  /** Segments whose every batch was checked because they may hold bytes written after the last sync. */
  recoveredSegments: number;
  /** What recovery cut or dropped, and why; empty when nothing was lost. */
  problems: string[];
}

export interface LoadedLog {
  segments: LogSegment[];
  recoveryPoint: number;
  report: OpenReport;
}

/**
 * Opens a partition directory: trusts what a clean close or a completed sync vouches for, and
 * checks the rest batch by batch, cutting a torn or corrupt tail and rebuilding indexes.
 */
export function loadLog(dir: string, config: LogConfig, now: number): LoadedLog {
  fs.mkdirSync(dir, { recursive: true });
  recoverSwaps(dir);
  const bases = listSegmentBases(dir);
  const markerPath = path.join(dir, CLEAN_SHUTDOWN_FILE);
  const cleanShutdown = fs.existsSync(markerPath);
  const recoveryPoint = cleanShutdown ? Number.MAX_SAFE_INTEGER : readRecoveryPoint(dir);
  const report: OpenReport = { cleanShutdown, recoveredSegments: 0, problems: [] };
  const segments: LogSegment[] = [];

  if (bases.length === 0) {
    segments.push(LogSegment.create(dir, 0, now));
    syncDirectory(dir);
  }
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i];
    const nextBase = i + 1 < bases.length ? bases[i + 1] : null;
    let segment = base < recoveryPoint ? LogSegment.openTrusted(dir, base, nextBase, now) : null;
    if (!segment) {
      const recovered = LogSegment.recover(dir, base, config.indexIntervalBytes, now);
      segment = recovered.segment;
      report.recoveredSegments++;
      if (recovered.problem) report.problems.push(`segment ${base}: cut at ${recovered.problem}`);
    }
    segments.push(segment);
    if (nextBase !== null && segment.nextOffset !== nextBase) {
      report.problems.push(
        `segment ${base} ends at offset ${segment.nextOffset} but the next starts at ${nextBase}: dropped ${bases.length - i - 1} later segment(s)`,
      );
      for (const later of bases.slice(i + 1)) removeSegmentFiles(dir, later);
      break;
    }
  }
  // A clean close waits for every give-back; a process that died first left sealed segments holding
  // what they had reserved past their end, so it goes back now.
  if (!cleanShutdown) for (const sealed of segments.slice(0, -1)) sealed.releaseReserved(MIN_AHEAD_BYTES);
  const starts = segments.map((segment) => segment.baseOffset);
  // A clean close snapshots tracked state at the log end too, and nothing has written since.
  removeOrphanSnapshots(dir, cleanShutdown ? [...starts, segments[segments.length - 1].nextOffset] : starts);
  if (cleanShutdown) {
    fs.rmSync(markerPath);
    syncDirectory(dir);
  }
  return { segments, recoveryPoint: cleanShutdown ? segments[segments.length - 1].baseOffset : recoveryPoint, report };
}

function listSegmentBases(dir: string): number[] {
  const bases: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.tmp')) {
      fs.rmSync(path.join(dir, name), { force: true });
      continue;
    }
    const base = parseSegmentFileName(name, LOG_SUFFIX);
    if (base !== null) bases.push(base);
  }
  return bases.sort((a, b) => a - b);
}
