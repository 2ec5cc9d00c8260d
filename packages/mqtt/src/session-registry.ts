/** A live connection as the registry sees it: one that can be told another took its client id. */
export interface LiveSession {
  /** Closes the connection for a newer one of the same client id; resolves once its state is saved. */
  takeOver(): Promise<void>;
}

/**
 * The client ids connected to this broker, and for each client id the QoS 2 packet ids received and
 * not yet released: a PUBLISH retried under one of those (after a reconnect, too) is answered without
 * being stored again.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();
  private readonly received = new Map<string, Map<number, Promise<void>>>();

  /** Registers the session under its client id, first closing the one that held it. */
  async claim(clientId: string, session: LiveSession): Promise<void> {
    const previous = this.live.get(clientId);
    this.live.set(clientId, session);
    await previous?.takeOver();
  }

  leave(clientId: string, session: LiveSession): void {
    if (this.live.get(clientId) === session) this.live.delete(clientId);
  }

  /**
   * Stores a QoS 2 publish once per packet id until it is released: a retry gets the first
   * attempt's outcome. A failed append forgets the id, so that a retry stores it.
   */
  storeOnce(clientId: string, packetId: number, store: () => Promise<void>): Promise<void> {
    let received = this.received.get(clientId);
    if (!received) this.received.set(clientId, (received = new Map()));
    const known = received.get(packetId);
    if (known) return known;
    const stored = store();
    received.set(packetId, stored);
    stored.catch(() => this.release(clientId, packetId));
    return stored;
  }

  /** PUBREL: the packet id may name a new publish from now on. Whether it was known. */
  release(clientId: string, packetId: number): boolean {
    const received = this.received.get(clientId);
    const known = received?.delete(packetId) ?? false;
    if (received?.size === 0) this.received.delete(clientId);
    return known;
  }

  /** A clean start: the client's unreleased packet ids go. */
  forget(clientId: string): void {
    this.received.delete(clientId);
  }
}
