import { applyConfChange, decodeConfChange, type ConfState, type Entry, type SnapshotMeta } from '@gregor/raft';
import { isControlBatch, type BatchHeader } from '@gregor/records';
import { entriesOfBatches } from './entry-batches';
import { indexOfOffset } from './raft-index';

interface Change {
  readonly index: number;
  readonly config: ConfState;
}

/**
 * The membership in force at each index from the log start on: a retention point becomes the
 * snapshot a lagging follower restarts from, so it must carry the membership at that index, not
 * the one applied since. Membership changes are rare; this holds one entry per change.
 */
export class ConfigHistory {
  private changes: Change[];

  constructor(start: SnapshotMeta) {
    this.changes = [{ index: start.lastIndex, config: start.config }];
  }

  /**
   * The history from `start` through `applied`, from the config control batches among `headers`
   * (the log's, from its start); `read` returns the entries of one batch, read only for those.
   */
  static load(start: SnapshotMeta, applied: number, headers: Iterable<BatchHeader>, read: (header: BatchHeader) => Buffer): ConfigHistory {
    const history = new ConfigHistory(start);
    for (const header of headers) {
      if (indexOfOffset(header.baseOffset) > applied) break;
      if (isControlBatch(header.attributes)) history.applied(entriesOfBatches(read(header)));
    }
    return history;
  }

  /** Committed entries handed to the application, in order. */
  applied(entries: readonly Entry[]): void {
    for (const e of entries) {
      if (e.type !== 'config') continue;
      const config = applyConfChange(this.changes[this.changes.length - 1].config, decodeConfChange(e.data));
      this.changes.push({ index: e.lastIndex, config });
    }
  }

  /** The membership in force once the entry at `index` is applied. */
  at(index: number): ConfState {
    let config = this.changes[0].config;
    for (const change of this.changes) {
      if (change.index > index) break;
      config = change.config;
    }
    return config;
  }

  /** The log now starts after `start` (retention or an installed snapshot): earlier changes no longer matter. */
  restartAt(start: SnapshotMeta): void {
    const later = this.changes.filter((c) => c.index > start.lastIndex);
    this.changes = [{ index: start.lastIndex, config: start.config }, ...later];
  }
}
