import * as fs from 'node:fs';
import * as path from 'node:path';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
/** Not a segment file proper: state folded from the batches before the segment (see state-snapshots). */
export const SNAPSHOT_SUFFIX = '.snapshot';

/** Segment files are named by their base offset, zero-padded to 20 digits so names sort like offsets. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

export function segmentPath(dir: string, baseOffset: number, suffix: string): string {
  return path.join(dir, segmentFileName(baseOffset, suffix));
}

/** The base offset a segment file name encodes, or null for files that are not segment files. */
export function parseSegmentFileName(name: string, suffix: string): number | null {
  if (!name.endsWith(suffix)) return null;
  const digits = name.slice(0, -suffix.length);
  if (!/^\d{20}$/.test(digits)) return null;
  const offset = Number(digits);
  return Number.isSafeInteger(offset) ? offset : null;
}

export function removeSegmentFiles(dir: string, baseOffset: number): void {
  for (const suffix of [SNAPSHOT_SUFFIX, LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    fs.rmSync(segmentPath(dir, baseOffset, suffix), { force: true });
  }
}
