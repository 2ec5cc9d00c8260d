import type { HeaderState } from './header-state';
import { readStateSnapshot, writeStateSnapshot } from './state-snapshots';

/** A caller's HeaderState and the snapshots of it in a log's directory. */
export class TrackedState {
  constructor(
    private readonly dir: string,
    readonly state: HeaderState,
  ) {}

  /**
   * Restores the newest snapshot at one of `bases` (ascending) that is intact and that the state
   * can read, and returns its index; -1, with the state emptied, when there is none.
   */
  restoreNewest(bases: readonly number[]): number {
    for (let i = bases.length - 1; i >= 0; i--) {
      const bytes = readStateSnapshot(this.dir, bases[i]);
      if (bytes === null) continue;
      try {
        this.state.restore(bytes);
        return i;
      } catch {
        // Written by a version that encodes it differently, say: an older snapshot may still do.
      }
    }
    this.state.restore(null);
    return -1;
  }

  snapshotAt(offset: number): void {
    writeStateSnapshot(this.dir, offset, this.state.snapshot());
  }
}
