import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from './replace-file';

/** Present only between a clean close and the next open: its absence means the log must be checked. */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
/** Base offset of the oldest segment that may hold bytes not yet known to be durable. */
export const RECOVERY_POINT_FILE = 'recovery-point';

export function readRecoveryPoint(dir: string): number {
  try {
    const value = Number(fs.readFileSync(path.join(dir, RECOVERY_POINT_FILE), 'utf8').trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}

/**
 * Replaced by rename so a crash leaves the old value or the new one. Moving it forward needs no
 * fsync: a recovery point that goes back in time only makes the next recovery check more
 * segments. Moving it back (after a truncation) must be `durable`, or a crash could leave it
 * vouching for a segment that is being written again.
 */
export function writeRecoveryPoint(dir: string, offset: number, durable: boolean): void {
  replaceFile(dir, RECOVERY_POINT_FILE, `${offset}\n`, durable ? 'all' : 'process');
}
