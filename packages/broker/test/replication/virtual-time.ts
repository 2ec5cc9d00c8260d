import type { AppendResult } from '@gregor/storage';
import { VirtualClock, advanceUntil, quietened } from '@gregor/testkit';
import type { Acks } from '../../src/replication/pending-appends';
import type { ReplicatedPartition } from '../../src/replication/replicated-partition';

/** One Raft tick of virtual time. */
export const TICK_MS = 5;
/** Virtual time a test waits for a condition before it fails: far more than any election takes. */
const VIRTUAL_DEADLINE_MS = 2000 * TICK_MS;
/** Wall time within which replicas must go idle between ticks; only a hang takes this long. */
const SETTLE_TIMEOUT_MS = 10_000;

/**
 * Replicas whose Raft ticks run on a virtual clock that a test moves, a tick at a time, only
 * once every message sent has arrived and every replica is idle: how many ticks anything takes
 * then depends on the seed, never on how loaded the machine is.
 */
export abstract class OnVirtualTime {
  readonly clock = new VirtualClock();

  constructor(readonly seed: number) {}

  /** Messages handed to the network and not yet arrived. */
  protected abstract inFlight(): number;
  protected abstract running(): Iterable<ReplicatedPartition>;

  /** Resolves once every message sent has arrived and every replica is idle. */
  settle(): Promise<void> {
    return quietened(() => this.inFlight() === 0 && [...this.running()].every((r) => r.idle), SETTLE_TIMEOUT_MS, 'the replicas');
  }

  /** Moves virtual time on until `condition` holds; the failure names the seed. */
  until<T>(condition: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
    return advanceUntil(this.clock, condition, { stepMs: TICK_MS, maxMs: VIRTUAL_DEADLINE_MS, settle: () => this.settle(), what: `${what} (seed ${this.seed})` });
  }

  /** `promise`'s outcome, moving time on until it settles (a call that waits on an election, say). */
  async outcome<T>(promise: Promise<T>, what: string): Promise<T> {
    let done = false;
    const mark = (): void => {
      done = true;
    };
    promise.then(mark, mark);
    await this.until(() => done, what);
    return promise;
  }

  /** `replica.append`, moving time on until it is answered. */
  append(replica: ReplicatedPartition, batch: Buffer, acks: Acks = 'all'): Promise<AppendResult> {
    return this.outcome(replica.append(batch, acks, 1 << 20), 'an answer to the append');
  }
}
