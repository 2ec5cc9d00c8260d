import * as fs from 'node:fs';
import { syncDirectory } from '../file-io';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, parseSegmentFileName, segmentPath } from '../segment-files';

/** A segment's cleaned copy while it is written: removed by the next open if a crash comes first. */
export const CLEANED_SUFFIX = '.log.cleaned';
/** The cleaned copy once complete and durable: from here on a crash is finished forwards, never undone. */
export const SWAP_SUFFIX = '.log.swap';

/** The points after each durable step of a swap, where a test can stop it as a crash would. */
export type SwapStep = 'cleaned-written' | 'swap-committed' | 'indexes-removed' | 'log-replaced';

export type AfterSwapStep = (step: SwapStep) => void;

export function cleanedPath(dir: string, baseOffset: number): string {
  return segmentPath(dir, baseOffset, CLEANED_SUFFIX);
}

/**
 * Replaces segment `baseOffset`'s log with its cleaned copy (written and synced by the caller),
 * so that a crash at any moment leaves the old segment whole or the new one whole. Renaming the
 * copy to `.log.swap` is the commit point: before it the old files stand and the copy is
 * discarded at the next open; after it the next open finishes the swap (recoverSwaps). The
 * indexes go before the log is replaced, so no index ever describes the wrong log; the new
 * segment's are rebuilt from it.
 */
export function commitSwap(dir: string, baseOffset: number, afterStep: AfterSwapStep): void {
  fs.renameSync(cleanedPath(dir, baseOffset), segmentPath(dir, baseOffset, SWAP_SUFFIX));
  syncDirectory(dir);
  afterStep('swap-committed');
  finishSwap(dir, baseOffset, afterStep);
}

function finishSwap(dir: string, baseOffset: number, afterStep: AfterSwapStep): void {
  fs.rmSync(segmentPath(dir, baseOffset, INDEX_SUFFIX), { force: true });
  fs.rmSync(segmentPath(dir, baseOffset, TIME_INDEX_SUFFIX), { force: true });
  afterStep('indexes-removed');
  fs.renameSync(segmentPath(dir, baseOffset, SWAP_SUFFIX), segmentPath(dir, baseOffset, LOG_SUFFIX));
  syncDirectory(dir);
  afterStep('log-replaced');
}

/** Run by an open before it reads any segment: discards unfinished copies and finishes committed swaps. */
export function recoverSwaps(dir: string): void {
  let changed = false;
  for (const name of fs.readdirSync(dir)) {
    if (parseSegmentFileName(name, CLEANED_SUFFIX) !== null) {
      fs.rmSync(`${dir}/${name}`, { force: true });
      changed = true;
    }
  }
  for (const name of fs.readdirSync(dir)) {
    const base = parseSegmentFileName(name, SWAP_SUFFIX);
    if (base === null) continue;
    finishSwap(dir, base, () => undefined);
    changed = true;
  }
  if (changed) syncDirectory(dir);
}
