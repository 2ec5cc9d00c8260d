import type { CleanJob, PassReport } from './clean-pass';

/** What the log's thread sends the cleaner's: a pass to run, or whether a copy it made was swapped in. */
export type ToCleaner = { type: 'run'; id: number; job: CleanJob } | { type: 'swapped'; id: number; ok: boolean };

/** What the cleaner's thread answers: a copy ready to swap, or how a pass ended. */
export type FromCleaner =
  | { type: 'copied'; id: number; baseOffset: number }
  | { type: 'done'; id: number; report: PassReport }
  | { type: 'failed'; id: number; message: string; code?: string };
