import type { BatchHeader } from '@gregor/records';

/**
 * State a caller folds from batch headers in offset order (an idempotent producer's sequences,
 * say). A log tracking it applies every batch it writes, snapshots it at each segment roll, and
 * after a truncation or on reopening restores the newest snapshot and replays only the batches
 * after it, so rebuilding costs at most about one segment however long the log grows.
 */
export interface HeaderState {
  apply(header: BatchHeader): void;
  /** The state as bytes, for a snapshot file. */
  snapshot(): Buffer;
  /** Replaces the state with one `snapshot` returned, or the empty state for null; throws on bytes it cannot read. */
  restore(snapshot: Buffer | null): void;
}
