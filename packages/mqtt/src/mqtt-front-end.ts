import type { BrokerSurface, FrontEnd } from '@gregor/broker';
import { Admin, Cluster, Producer } from '@gregor/client';
import { allowAll, type Authenticator } from './authenticator';
import { LiveTails } from './live-tails';
import { MappingStore } from './mapping-store';
import { MqttPublisher } from './publisher';
import { Qos2Ledger } from './qos2-ledger';
import { sessionGroup } from './mqtt-connection';
import { MqttServer } from './mqtt-server';
import { SessionDiscarder } from './session-discarder';
import { SubscriptionStore } from './subscription-store';
import { RetainedStore } from './retained-store';
import { SessionRegistry } from './session-registry';
import type { TopicMappings } from './topic-mapping';

export interface MqttFrontEndOptions {
  host: string;
  port: number;
  mappings: TopicMappings;
  maxConnections: number;
  maxPacketBytes: number;
  /** Default allow-all. */
  authenticator?: Authenticator;
  /** Default 10000 ms. */
  connectTimeoutMs?: number;
  /** Default 1000 ms. */
  commitIntervalMs?: number;
  /** How often sessions past their MQTT 5 expiry are looked for and ended, ms; default 5000. */
  sessionSweepMs?: number;
  onConnectionClosed?(reason: string): void;
  onError?(error: unknown): void;
}

/** The listener name under which brokers advertise their MQTT address. */
export const MQTT_LISTENER = 'mqtt';

/**
 * The MQTT listener as one of a broker's front ends. It is a client of the cluster through the SDK,
 * bootstrapped at its own broker: a publish goes to its partition's leader wherever that is, with
 * acks=all and the idempotent producer, and subscriptions read like any consumer.
 */
export class MqttFrontEnd implements FrontEnd {
  readonly name = MQTT_LISTENER;
  private server: MqttServer | null = null;
  private cluster: Cluster | null = null;
  private producer: Producer | null = null;
  private retained: RetainedStore | null = null;
  private addedMappings: MappingStore | null = null;
  private qos2: Qos2Ledger | null = null;
  private subscriptions: SubscriptionStore | null = null;
  private liveTails: LiveTails | null = null;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly options: MqttFrontEndOptions) {}

  async start(surface: BrokerSurface): Promise<string> {
    const { host, port, mappings, maxConnections, maxPacketBytes, onConnectionClosed, onError = () => undefined } = this.options;
    const cluster = (this.cluster = new Cluster({ brokers: surface.clientAddress }));
    const producer = (this.producer = new Producer({ cluster, acks: 'all', idempotent: true }));
    const replicationFactor = () => Math.max(1, Math.min(3, surface.brokers().filter((b) => b.alive).length));
    const tables = { cluster, producer, replicationFactor, onError };
    const retained = (this.retained = new RetainedStore(tables));
    const addedMappings = (this.addedMappings = new MappingStore({ ...tables, onChange: (added) => mappings.setAdded(added) }));
    const qos2 = (this.qos2 = new Qos2Ledger(tables));
    const subscriptions = (this.subscriptions = new SubscriptionStore(tables));
    // Read in the background: the broker they are read from is this one, still starting.
    for (const table of [retained, addedMappings, qos2, subscriptions]) void table.start();
    const sessions = new SessionRegistry(qos2);
    const discarder = new SessionDiscarder(new Admin({ cluster }), sessionGroup);
    /** A clean start or an expiry: the subscriptions go first, so that no CONNECT after finds them. */
    const endSession = async (clientId: string): Promise<void> => {
      await subscriptions.discard(clientId);
      // A mark that stays only ever matches a retried PUBLISH of the id; the next clean start tries again.
      sessions.forget(clientId).catch(() => undefined);
      discarder.discard(clientId);
    };
    // Every broker sweeps its copy of the sessions; two ending one at once write the same tombstones.
    this.sweeper = setInterval(() => {
      for (const clientId of subscriptions.expiredAt(Date.now())) {
        if (!sessions.isConnected(clientId)) endSession(clientId).catch(onError);
      }
    }, this.options.sessionSweepMs ?? 5000);
    this.sweeper.unref();
    this.server = new MqttServer({
      cluster,
      publisher: new MqttPublisher(producer, mappings, retained),
      retained,
      mappingsReady: addedMappings.ready,
      sessions,
      subscriptions,
      liveTails: (this.liveTails = new LiveTails(cluster)),
      endSession,
      authenticator: this.options.authenticator ?? allowAll,
      maxConnections,
      maxPacketBytes,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      commitIntervalMs: this.options.commitIntervalMs ?? 1000,
      onConnectionClosed,
    });
    const bound = await this.server.listen(host, port);
    return `${host.includes(':') ? `[${host}]` : host}:${bound}`;
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.server?.close();
    await this.liveTails?.close();
    await this.retained?.close();
    await this.addedMappings?.close();
    await this.qos2?.close();
    await this.subscriptions?.close();
    await this.producer?.close().catch(() => undefined);
    await this.cluster?.close();
    this.server = null;
  }
}
