import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';
import { errorFields } from '../logger';
import { rebalanceCluster } from './rebalance';

/**
 * `auto.balance`: the controller leader rebalances once the set of brokers that are not
 * decommissioned has changed (a broker joined, or a decommission finished) and has held still
 * for `settleMs`, with nothing moving and every broker alive. A failed attempt is retried at
 * the next check; a set it has balanced is not balanced again.
 */
export class AutoBalancer {
  private balanced: string | undefined;
  private seen: { key: string; since: number } | undefined;
  private running = false;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly settleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  check(): void {
    const { cluster } = this.ctx;
    if (this.running || !cluster.controller.isLeader) return;
    const brokers = cluster.state.brokers().filter((b) => !b.decommissioned);
    const key = brokers.map((b) => b.id).sort((a, b) => a - b).join(',');
    if (key !== this.seen?.key) this.seen = { key, since: this.now() };
    if (key === this.balanced || this.now() - this.seen.since < this.settleMs) return;
    const moving = cluster.state.topics().some((t) => t.assignments.some((a) => a.reassignment));
    if (moving || brokers.some((b) => b.fenced)) return;
    this.running = true;
    rebalanceCluster(this.ctx, false, 0)
      .then((plan) => {
        this.balanced = key;
        this.ctx.logger.info('auto_balance.started', { brokers: key, moves: plan.moves.length });
      })
      .catch((err: unknown) => {
        const retriable = err instanceof BrokerError;
        this.ctx.logger[retriable ? 'info' : 'warn']('auto_balance.failed', { brokers: key, ...errorFields(err) });
      })
      .finally(() => {
        this.running = false;
      });
  }
}
