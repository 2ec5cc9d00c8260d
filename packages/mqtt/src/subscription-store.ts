import type { Cluster, Producer } from '@gregor/client';
import type { QoS } from 'mqtt-packet';
import { CompactedTable } from './compacted-table';

/** The compacted topic of persistent sessions' subscriptions, keyed by client id. */
export const SUBSCRIPTIONS_TOPIC = '_mqtt-subscriptions';

/** How long a resuming CONNECT waits for the store to be read up to date, ms. */
const SYNC_TIMEOUT_MS = 5000;

export interface StoredSubscription {
  filter: string;
  qos: QoS;
}

export interface SubscriptionStoreOptions {
  cluster: Cluster;
  producer: Producer;
  replicationFactor(): number;
  onError(error: unknown): void;
}

/**
 * What each persistent session is subscribed to, shared by the cluster: a client that comes back
 * without clean start, to any broker, finds its subscriptions in place (CONNACK session present)
 * and is sent what it missed from its committed positions without subscribing again.
 */
export class SubscriptionStore {
  private readonly table: CompactedTable<StoredSubscription[]>;

  constructor(private readonly options: SubscriptionStoreOptions) {
    this.table = new CompactedTable({
      ...options,
      topic: SUBSCRIPTIONS_TOPIC,
      decode: (record) => {
        if (record.value === null) return null;
        try {
          return JSON.parse(record.value.toString('utf8')) as StoredSubscription[];
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

  /** The session's subscriptions, read up to date (another broker may have saved them a moment ago). */
  async lookup(clientId: string): Promise<StoredSubscription[] | undefined> {
    await this.table.sync(SYNC_TIMEOUT_MS).catch(this.options.onError);
    return this.table.get(clientId);
  }

  /** Saves the session's subscriptions; none left removes the session's record. */
  async save(clientId: string, subscriptions: StoredSubscription[]): Promise<void> {
    const value = subscriptions.length === 0 ? null : JSON.stringify(subscriptions);
    await this.options.producer.send(SUBSCRIPTIONS_TOPIC, { key: clientId, value });
    this.table.setLocally(clientId, subscriptions.length === 0 ? null : subscriptions);
  }

  /** A clean start: the session's subscriptions go, if this broker knows of any. */
  async discard(clientId: string): Promise<void> {
    if (this.table.get(clientId) !== undefined) await this.save(clientId, []);
  }

  close(): Promise<void> {
    return this.table.close();
  }
}
