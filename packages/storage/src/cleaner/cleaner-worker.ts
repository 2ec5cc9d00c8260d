import { parentPort } from 'node:worker_threads';
import { runCleanPass } from './clean-pass';
import type { FromCleaner, ToCleaner } from './cleaner-messages';

/**
 * The cleaner's own thread: runs the passes CleanerThread sends it, one at a time, so that their
 * decoding, hashing and copying never hold the broker's event loop.
 */
const port = parentPort!;
const swapAnswers = new Map<number, (swapped: boolean) => void>();

port.on('message', (message: ToCleaner) => {
  if (message.type === 'swapped') {
    swapAnswers.get(message.id)?.(message.ok);
    swapAnswers.delete(message.id);
    return;
  }
  const { id, job } = message;
  const copied = (baseOffset: number): Promise<boolean> =>
    new Promise((resolve) => {
      swapAnswers.set(id, resolve);
      port.postMessage({ type: 'copied', id, baseOffset } satisfies FromCleaner);
    });
  runCleanPass(job, copied).then(
    (report) => port.postMessage({ type: 'done', id, report } satisfies FromCleaner),
    (err: unknown) => port.postMessage({ type: 'failed', id, message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code } satisfies FromCleaner),
  );
});
