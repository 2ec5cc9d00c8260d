import type { HeaderState } from './header-state';
import { readStateSnapshot, writeStateSnapshot } from './state-snapshots';

/** A caller's HeaderState and the snapshots of it in a log's directory. */
export class TrackedState {
  constructor(
    private readonly dir: string,
    readonly state: HeaderState,
  ) {}

  /**
   * Restores the newest snapshot at one of `offsets` (ascending) that is intact and that the state
   * can read, and returns its offset; null, with the state emptied, when there is none.
   */
  restoreNewest(offsets: readonly number[]): number | null {
    for (let i = offsets.length - 1; i >= 0; i--) {
      const bytes = readStateSnapshot(this.dir, offsets[i]);
      if (bytes === null) continue;
      try {
        this.state.restore(bytes);
        return offsets[i];
      } catch {
        // Written by a version that encodes it differently, say: an older snapshot may still do.
      }
    }
    this.state.restore(null);
    return null;
  }

  snapshotAt(offset: number): void {
    writeStateSnapshot(this.dir, offset, this.state.snapshot());
  }
}
