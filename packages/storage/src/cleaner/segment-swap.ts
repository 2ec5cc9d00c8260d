import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDirectory, syncDirectoryInBackground } from '../file-io';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, parseSegmentFileName, segmentPath } from '../segment-files';

/** Where cleaned copies of segments are written, as whole segments under their own names; an open removes it. */
export const CLEANING_DIR = '.cleaning';
/** A cleaned copy once complete and durable: from here on a crash is finished forwards, never undone. */
export const SWAP_SUFFIX = '.log.swap';

/** The points after each durable step of a swap, where a test can stop it as a crash would. */
export type SwapStep = 'cleaned-written' | 'swap-committed' | 'indexes-replaced' | 'log-replaced';

export type AfterSwapStep = (step: SwapStep) => void;

export function cleaningDir(dir: string): string {
  return path.join(dir, CLEANING_DIR);
}

/**
 * Replaces segment `baseOffset` with its cleaned copy (a whole segment in CLEANING_DIR, written
 * and synced, directory entries included, by the caller), so that a crash at any moment leaves the old segment whole or the new
 * one whole. Moving the copy's log in as `.log.swap` is the commit point: before it the old files
 * stand and the copy is discarded at the next open; after it the next open finishes the swap
 * (recoverSwaps). The indexes move in before the log, and the log last, by rename over the old.
 */
export function commitSwap(dir: string, baseOffset: number, afterStep: AfterSwapStep): void {
  fs.renameSync(segmentPath(cleaningDir(dir), baseOffset, LOG_SUFFIX), segmentPath(dir, baseOffset, SWAP_SUFFIX));
  syncDirectory(dir);
  afterStep('swap-committed');
  for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    fs.renameSync(segmentPath(cleaningDir(dir), baseOffset, suffix), segmentPath(dir, baseOffset, suffix));
  }
  afterStep('indexes-replaced');
  fs.renameSync(segmentPath(dir, baseOffset, SWAP_SUFFIX), segmentPath(dir, baseOffset, LOG_SUFFIX));
  // Off the event loop: a power loss before this sync leaves the .swap, which the next open finishes.
  syncDirectoryInBackground(dir);
  afterStep('log-replaced');
}


/**
 * Run by an open before it reads any segment: finishes committed swaps and discards unfinished
 * copies. Which indexes a crash left in place is not known, so a finished swap's are removed,
 * or replaced by the copy's where they are still waiting, and the open rebuilds what is missing.
 */
export function recoverSwaps(dir: string): void {
  let changed = false;
  for (const name of fs.readdirSync(dir)) {
    const base = parseSegmentFileName(name, SWAP_SUFFIX);
    if (base === null) continue;
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const waiting = segmentPath(cleaningDir(dir), base, suffix);
      if (fs.existsSync(waiting)) fs.renameSync(waiting, segmentPath(dir, base, suffix));
      else fs.rmSync(segmentPath(dir, base, suffix), { force: true });
    }
    fs.renameSync(path.join(dir, name), segmentPath(dir, base, LOG_SUFFIX));
    changed = true;
  }
  if (fs.existsSync(cleaningDir(dir))) {
    fs.rmSync(cleaningDir(dir), { recursive: true, force: true });
    changed = true;
  }
  if (changed) syncDirectory(dir);
}
