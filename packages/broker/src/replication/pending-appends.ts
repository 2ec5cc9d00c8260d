import type { AppendResult } from '@gregor/storage';

export type Acks = 'all' | 'leader';

interface PendingAppend {
  readonly lastIndex: number;
  readonly term: number;
  readonly acks: Acks;
  readonly result: AppendResult;
  settled: boolean;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

/**
 * Produce calls waiting for their entry: acks=leader ones once the leader's own write is durable,
 * acks=all ones once the entry is committed with the term it was proposed in. Ordered by index.
 */
export class PendingAppends {
  private queue: PendingAppend[] = [];

  get size(): number {
    return this.queue.length;
  }

  add(lastIndex: number, term: number, acks: Acks, result: AppendResult): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      const waiting = { lastIndex, term, acks, result, settled: false, resolve, reject };
      // A retried batch waits on an earlier index than calls already queued; keep the queue in index order.
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1].lastIndex > lastIndex) at--;
      this.queue.splice(at, 0, waiting);
    });
  }

  /** The leader's own copy is durable up to `index`. */
  persisted(index: number): void {
    for (const p of this.queue) {
      if (p.lastIndex > index) break;
      if (p.acks === 'leader' && !p.settled) {
        p.settled = true;
        p.resolve(p.result);
      }
    }
  }

  /** Entries up to `commit` are committed; `termAt` tells which term each index was committed in. */
  committed(commit: number, termAt: (index: number) => number | undefined, lost: () => unknown): void {
    let done = 0;
    for (const p of this.queue) {
      if (p.lastIndex > commit) break;
      done++;
      if (p.settled) continue;
      p.settled = true;
      if (termAt(p.lastIndex) === p.term) p.resolve(p.result);
      else p.reject(lost());
    }
    if (done > 0) this.queue = this.queue.slice(done);
  }

  /** Leadership was lost: nobody still waiting can know whether their entry will commit. */
  failAll(err: () => unknown): void {
    for (const p of this.queue) if (!p.settled) p.reject(err());
    this.queue = [];
  }
}
