import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '../replace-file';

/** The first offset the cleaner has not yet indexed: below it, every key's newest record is known to have been kept. */
export const CLEANER_CHECKPOINT_FILE = 'cleaner-checkpoint';

/** The checkpoint, or null when this log was never cleaned (or the file is unreadable: cleaning from the start is only slower). */
export function readCleanerCheckpoint(dir: string): number | null {
  try {
    const value = Number(fs.readFileSync(path.join(dir, CLEANER_CHECKPOINT_FILE), 'utf8').trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : null;
  } catch {
    return null;
  }
}

/** Needs no fsync: a checkpoint that goes back only makes the cleaner index some records again. */
export function writeCleanerCheckpoint(dir: string, offset: number): void {
  replaceFile(dir, CLEANER_CHECKPOINT_FILE, `${offset}\n`, 'process');
}
