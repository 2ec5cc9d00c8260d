import type { QoS } from 'mqtt-packet';
import { CompactedTable, type WritableTableOptions } from './compacted-table';

/** The compacted topic of persistent sessions' subscriptions, keyed by client id. */
export const SUBSCRIPTIONS_TOPIC = '_mqtt-subscriptions';

/** How long a resuming CONNECT waits for the store to be read up to date, ms. */
const SYNC_TIMEOUT_MS = 5000;

export interface StoredSubscription {
  filter: string;
  qos: QoS;
}

/** A persistent session as the cluster keeps it. */
export interface StoredSession {
  subscriptions: StoredSubscription[];
  /** How long the session outlives its connection, ms; null: until a clean start (MQTT 3.1.1, or 0xFFFFFFFF s). */
  expiryMs: number | null;
  /** When its last connection closed, epoch ms; null while a connection holds it. */
  disconnectedAt: number | null;
}

/** Whether the session has outlived its expiry at `now`. */
export function expired(session: StoredSession, now: number): boolean {
  return session.expiryMs !== null && session.disconnectedAt !== null && now - session.disconnectedAt >= session.expiryMs;
}


/**
 * What each persistent session is subscribed to, shared by the cluster: a client that comes back
 * without clean start, to any broker, finds its subscriptions in place (CONNACK session present)
 * and is sent what it missed from its committed positions without subscribing again. A session
 * with an expiry (MQTT 5) records when its connection closed, so that any broker can end it once
 * the expiry has passed.
 */
export class SubscriptionStore {
  private readonly table: CompactedTable<StoredSession>;

  constructor(private readonly options: WritableTableOptions) {
    this.table = new CompactedTable({
      ...options,
      topic: SUBSCRIPTIONS_TOPIC,
      decode: (record) => {
        if (record.value === null) return null;
        try {
          return JSON.parse(record.value.toString('utf8')) as StoredSession;
        } catch (err) {
          options.onError(err);
          return null;
        }
      },
    });
  }

  start(): Promise<void> {
    return this.table.start();
  }

  /** The session, read up to date (another broker may have saved it a moment ago). */
  async lookup(clientId: string): Promise<StoredSession | undefined> {
    await this.table.sync(SYNC_TIMEOUT_MS).catch(this.options.onError);
    return this.table.get(clientId);
  }

  /** Saves the session; one with no subscriptions left is removed. */
  async save(clientId: string, session: StoredSession): Promise<void> {
    const kept = session.subscriptions.length === 0 ? null : session;
    await this.options.producer.send(SUBSCRIPTIONS_TOPIC, { key: clientId, value: kept === null ? null : JSON.stringify(kept) });
    this.table.setLocally(clientId, kept);
  }

  /** A clean start, or an expiry: the session's subscriptions go, if this broker knows of any. */
  async discard(clientId: string): Promise<void> {
    const session = this.table.get(clientId);
    if (session !== undefined) await this.save(clientId, { ...session, subscriptions: [] });
  }

  /** The client ids whose sessions have outlived their expiry, as this broker's copy has them. */
  expiredAt(now: number): string[] {
    return this.table.keys().filter((clientId) => {
      const session = this.table.get(clientId);
      return session !== undefined && expired(session, now);
    });
  }

  close(): Promise<void> {
    return this.table.close();
  }
}
