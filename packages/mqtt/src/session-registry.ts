/** A live connection as the registry sees it: one that can be told another took its client id. */
export interface LiveSession {
  /** Closes the connection for a newer one of the same client id; resolves once its state is saved. */
  takeOver(): Promise<void>;
}

/** Where the cluster keeps QoS 2 packet ids received and not yet released (a Qos2Ledger). */
export interface ReceivedIds {
  holds(clientId: string, packetId: number): Promise<boolean>;
  mark(clientId: string, packetId: number): Promise<void>;
  release(clientId: string, packetId: number): Promise<void>;
  forget(clientId: string): Promise<void>;
}

/**
 * The client ids connected to this broker, and for each client id the QoS 2 packet ids received and
 * not yet released: a PUBLISH retried under one of those is answered without being stored again,
 * after a reconnect to this broker from memory, after one to another broker from the cluster's
 * ledger.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();
  private readonly received = new Map<string, Map<number, Promise<void>>>();

  constructor(private readonly ledger: ReceivedIds) {}

  /** Registers the session under its client id, first closing the one that held it. */
  async claim(clientId: string, session: LiveSession): Promise<void> {
    const previous = this.live.get(clientId);
    this.live.set(clientId, session);
    await previous?.takeOver();
  }

  /** Whether a connection to this broker holds the client id. */
  isConnected(clientId: string): boolean {
    return this.live.has(clientId);
  }

  leave(clientId: string, session: LiveSession): void {
    if (this.live.get(clientId) === session) this.live.delete(clientId);
  }

  /**
   * Stores a QoS 2 publish once per packet id until it is released: a retry gets the first
   * attempt's outcome. A retry (DUP set) this broker does not know of is looked up in the ledger.
   * A failed append forgets the id, so that a retry stores it.
   */
  storeOnce(clientId: string, packetId: number, retried: boolean, store: () => Promise<void>): Promise<void> {
    let received = this.received.get(clientId);
    if (!received) this.received.set(clientId, (received = new Map()));
    const known = received.get(packetId);
    if (known) return known;
    const stored = (async () => {
      if (retried && (await this.ledger.holds(clientId, packetId))) return;
      await store();
      await this.ledger.mark(clientId, packetId);
    })();
    received.set(packetId, stored);
    stored.catch(() => this.dropLocally(clientId, packetId));
    return stored;
  }

  /** PUBREL: the packet id may name a new publish once this resolves (the cluster's ledger told too). */
  async release(clientId: string, packetId: number): Promise<void> {
    this.dropLocally(clientId, packetId);
    await this.ledger.release(clientId, packetId);
  }

  private dropLocally(clientId: string, packetId: number): void {
    const received = this.received.get(clientId);
    received?.delete(packetId);
    if (received?.size === 0) this.received.delete(clientId);
  }

  /** A clean start: the client's unreleased packet ids go. */
  forget(clientId: string): Promise<void> {
    this.received.delete(clientId);
    return this.ledger.forget(clientId);
  }
}
