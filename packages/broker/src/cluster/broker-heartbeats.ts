import { BrokerLiveness } from '../controller/broker-liveness';
import type { ClusterState } from '../controller/cluster-state';
import type { Controller } from '../controller/controller';
import type { MetadataCommand } from '../controller/metadata-commands';
import { errorFields, type Logger } from '../logger';
import type { Ticker } from '../replication/ticker';
import type { PeerClients } from './peer-clients';

export interface BrokerHeartbeatsOptions {
  brokerId: number;
  /** What this broker registers as its client address. */
  advertisedAddress: string;
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
    const { brokerId, advertisedAddress: address } = this.options;
    const controller = this.options.controller();
    if (controller.isLeader) {
      this.liveness.heartbeat(brokerId, address);
      return;
    }
    const leader = controller.leaderId;
    if (leader === 0) return;
    this.options.clients
      .call(leader, 'heartbeat', { brokerId, address }, this.options.intervalMs)
      .catch((err: unknown) => this.options.logger.debug('heartbeat.failed', { leader, ...errorFields(err) }));
  }

  /** Another broker's heartbeat, which only the controller leader takes. */
  receive(brokerId: number, address: string): void {
    const controller = this.options.controller();
    if (!controller.isLeader) throw controller.replica.notLeader();
    this.liveness.heartbeat(brokerId, address);
  }

  stop(): void {
    for (const stop of this.stopTimers) stop();
  }
}
