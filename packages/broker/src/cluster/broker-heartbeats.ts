import { BrokerLiveness, type BrokerHeartbeat } from '../controller/broker-liveness';
import type { ClusterState } from '../controller/cluster-state';
import type { Controller } from '../controller/controller';
import type { MetadataCommand } from '../controller/metadata-commands';
import { errorFields, type Logger } from '../logger';
import type { Ticker } from '../replication/ticker';
import type { PeerClients } from './peer-clients';

export interface BrokerHeartbeatsOptions {
  brokerId: number;
  /** What this broker registers: its client and peer addresses and rack. */
  self: BrokerHeartbeat;
  intervalMs: number;
  sessionTimeoutMs: number;
  state: ClusterState;
  /** Times the heartbeats and liveness checks, and is the time liveness reads. */
  ticker: Ticker;
  clients: PeerClients;
  /** This broker's metadata controller, once it is open. */
  controller(): Controller;
  /** Proposes a metadata command without waiting for its outcome. */
  propose(command: MetadataCommand): void;
  logger: Logger;
}

/**
 * Broker liveness from this broker's side: it heartbeats to the controller leader every interval,
 * and while it is that leader it takes every broker's heartbeats and fences those gone silent.
 */
export class BrokerHeartbeats {
  private readonly liveness: BrokerLiveness;
  private readonly stopTimers: Array<() => void> = [];
  private guesses = 0;

  constructor(private readonly options: BrokerHeartbeatsOptions) {
    this.liveness = new BrokerLiveness({
      sessionTimeoutMs: options.sessionTimeoutMs,
      now: () => options.ticker.now(),
      brokers: () => options.state.brokers(),
      propose: options.propose,
    });
  }

  start(): void {
    const { ticker, intervalMs } = this.options;
    this.stopTimers.push(ticker.every(intervalMs, () => this.send()));
    this.stopTimers.push(ticker.every(intervalMs, () => this.options.controller().isLeader && this.liveness.check()));
    this.send();
  }

  /** Controller leadership moved here: every broker gets a full session before it is judged. */
  resetSessions(): void {
    this.liveness.reset();
  }

  send(): void {
    const { self } = this.options;
    const controller = this.options.controller();
    if (controller.isLeader) {
      this.liveness.heartbeat(self);
      return;
    }
    const leader = controller.leaderId || this.guessLeader(controller);
    if (leader === 0) return;
    this.options.clients
      .call(leader, 'heartbeat', self, this.options.intervalMs)
      .catch((err: unknown) => this.options.logger.debug('heartbeat.failed', { leader, ...errorFields(err) }));
  }

  /**
   * A broker that joined knows no controller leader until the leader, which knows nothing of it
   * before its first heartbeat, replicates to it: it tries the metadata voters in turn.
   */
  private guessLeader(controller: Controller): number {
    const voters = controller.replica.node.raft.tracker.config.voters.filter((id) => id !== this.options.self.brokerId);
    if (voters.length === 0) return 0;
    this.guesses++;
    return voters[this.guesses % voters.length];
  }

  /** Another broker's heartbeat, which only the controller leader takes. */
  receive(heartbeat: BrokerHeartbeat): void {
    const controller = this.options.controller();
    if (!controller.isLeader) throw controller.replica.notLeader();
    this.liveness.heartbeat(heartbeat);
  }

  stop(): void {
    for (const stop of this.stopTimers) stop();
  }
}
