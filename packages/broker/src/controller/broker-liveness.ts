import type { BrokerRecord, MetadataCommand } from './metadata-commands';

/** What a broker says of itself every heartbeat; a change of any of it re-registers the broker. */
export interface BrokerHeartbeat {
  brokerId: number;
  address: string;
  peerAddress: string;
  rack: string;
  /** Front-end listeners by name (host:port). */
  listeners: Record<string, string>;
}

export interface BrokerLivenessOptions {
  /** A broker silent this long is fenced. */
  sessionTimeoutMs: number;
  now(): number;
  brokers(): BrokerRecord[];
  propose(command: MetadataCommand): void;
}

/**
 * The controller leader's view of which brokers are alive, from their heartbeats. Only changes
 * reach the metadata log: a first heartbeat (or a new address) registers a broker, silence past
 * the session timeout fences it, and a heartbeat from a fenced broker unfences it. A new leader
 * gives every broker a full session before judging it.
 */
export class BrokerLiveness {
  private readonly lastSeen = new Map<number, number>();
  private since: number;

  constructor(private readonly options: BrokerLivenessOptions) {
    this.since = options.now();
  }

  /** Leadership moved here: forget what an earlier term saw and start every session afresh. */
  reset(): void {
    this.lastSeen.clear();
    this.since = this.options.now();
  }

  heartbeat({ brokerId: id, address, peerAddress, rack, listeners }: BrokerHeartbeat): void {
    const now = this.options.now();
    this.lastSeen.set(id, now);
    const known = this.options.brokers().find((b) => b.id === id);
    const moved = !known || known.address !== address || (known.peerAddress ?? '') !== peerAddress || (known.rack ?? '') !== rack || !sameListeners(known.listeners ?? {}, listeners);
    if (moved) {
      const named = Object.keys(listeners).length > 0 ? { listeners } : {};
      this.options.propose({ type: 'registerBroker', id, address, ...(peerAddress ? { peerAddress } : {}), ...(rack ? { rack } : {}), ...named, time: now });
    }
    else if (known.fenced) this.options.propose({ type: 'fenceBroker', id, fenced: false });
  }

  /** Fences registered brokers whose session has expired. */
  check(): void {
    const now = this.options.now();
    for (const broker of this.options.brokers()) {
      if (broker.fenced) continue;
      const seen = this.lastSeen.get(broker.id) ?? this.since;
      if (now - seen > this.options.sessionTimeoutMs) this.options.propose({ type: 'fenceBroker', id: broker.id, fenced: true });
    }
  }
}

function sameListeners(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => a[name] === b[name]);
}
