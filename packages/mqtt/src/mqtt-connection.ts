import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { type Cluster, Consumer, GregorError } from '@gregor/client';
import * as mqtt from 'mqtt-packet';
import type { Authenticator } from './authenticator';
import { MqttError, ReasonCode } from './errors';
import type { LiveTails } from './live-tails';
import { LogSubscription } from './log-subscription';
import { PacketSizeGuard } from './packet-size-guard';
import type { MqttPublisher } from './publisher';
import type { RetainedStore } from './retained-store';
import type { LiveSession, SessionRegistry } from './session-registry';
import { expired, type StoredSubscription, type SubscriptionStore } from './subscription-store';
import { validateTopicFilter } from './topic-filter';
import { TopicsConsumer } from './topics-consumer';
import type { ResolvedTopic } from './topic-mapping';
import { waitAtMost } from './wait-at-most';

export interface ConnectionContext {
  cluster: Cluster;
  publisher: MqttPublisher;
  retained: RetainedStore;
  /** Resolves once the mappings added at run time are read: CONNECT is answered after, or after TABLE_WAIT_MS. */
  mappingsReady: Promise<void>;
  sessions: SessionRegistry;
  /** What clean sessions read records from, shared among them. */
  liveTails: LiveTails;
  /** Persistent sessions' subscriptions, for a client that resumes one (on any broker). */
  subscriptions: SubscriptionStore;
  /**
   * Ends the client id's session, cluster-wide: its subscriptions before this resolves, its QoS 2
   * packet ids and committed positions in the background.
   */
  endSession(clientId: string): Promise<void>;
  authenticator: Authenticator;
  maxPacketBytes: number;
  /** A connection that has not sent CONNECT this long after opening is closed, ms. */
  connectTimeoutMs: number;
  /** A persistent session's positions are committed this often, ms. */
  commitIntervalMs: number;
  onClosed(reason: string): void;
}

type Will = NonNullable<mqtt.IConnectPacket['will']>;
type Ack = mqtt.IPubackPacket | mqtt.IPubrecPacket | mqtt.IPubcompPacket;

/** Publishes awaiting their append beyond which the socket stops being read. */
const MAX_PENDING_PUBLISHES = 1024;
/** Bytes of fetched records a persistent session's consumer holds while its client is slow: the bound on its memory. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** The inflight window for clients that state none (MQTT 3.1.1). */
const DEFAULT_INFLIGHT = 100;
/**
 * How long a CONNECT waits for the mappings, and a SUBSCRIBE for the retained messages, to be read
 * from their topics (a broker just started) before it is answered with what is known, ms.
 */
const TABLE_WAIT_MS = 5000;

/** The group under which a persistent session's positions are committed. */
export function sessionGroup(clientId: string): string {
  return `mqtt-session.${clientId}`;
}

/**
 * One MQTT client connection: CONNECT, then publishes into the log, subscriptions out of it,
 * keep-alive, will and takeover. Packets are handled in arrival order; acknowledgements go out in
 * the order of the packets they answer, each once its append is committed.
 */
export class MqttConnection implements LiveSession {
  /** The codec reads this object: set to 5 after an MQTT 5 CONNECT, it parses the packets that follow as 5. */
  private readonly settings = { protocolVersion: 4 };
  private readonly parser = mqtt.parser(this.settings);
  private readonly guard: PacketSizeGuard;
  private readonly queue: mqtt.Packet[] = [];
  private draining = false;
  private clientId = '';
  private connected = false;
  private will: Will | null = null;
  private keepAliveMs = 0;
  private timer: NodeJS.Timeout | null;
  private subscription: LogSubscription | null = null;
  private persistent = false;
  /** How long a persistent session outlives this connection, ms; null: until a clean start. */
  private expiryMs: number | null = null;
  private inflightWindow = DEFAULT_INFLIGHT;
  private acks: Promise<void> = Promise.resolve();
  private pendingPublishes = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly drainWaiters: Array<() => void> = [];
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    this.guard = new PacketSizeGuard(ctx.maxPacketBytes);
    this.timer = setTimeout(() => void this.close('no CONNECT in time'), ctx.connectTimeoutMs);
    this.parser.on('packet', (packet: mqtt.Packet) => this.enqueue(packet));
    this.parser.on('error', (err: Error) => void this.close(`malformed packet: ${err.message}`, ReasonCode.MALFORMED_PACKET));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.drainWaiters.splice(0).forEach((wake) => wake()));
    socket.on('error', () => void this.close('socket error'));
    socket.on('close', () => void this.close('connection lost'));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.restartKeepAlive();
    if (!this.guard.accepts(chunk)) {
      void this.close(`packet over ${this.ctx.maxPacketBytes} bytes`, ReasonCode.PACKET_TOO_LARGE);
      return;
    }
    this.parser.parse(chunk);
  }

  private enqueue(packet: mqtt.Packet): void {
    if (this.closed) return;
    this.queue.push(packet);
    if (!this.draining) void this.drain();
  }

  /** Handles packets one at a time: a CONNECT or SUBSCRIBE is done before the packets after it. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let packet = this.queue.shift(); packet && !this.closed; packet = this.queue.shift()) await this.handle(packet);
    } catch (err) {
      await this.close(`failed: ${(err as Error).message}`, ReasonCode.UNSPECIFIED_ERROR);
    } finally {
      this.draining = false;
    }
  }

  private async handle(packet: mqtt.Packet): Promise<void> {
    if (packet.cmd === 'connect') {
      if (this.connected) return this.close('a second CONNECT', ReasonCode.PROTOCOL_ERROR);
      return this.onConnect(packet);
    }
    if (!this.connected) return this.close(`${packet.cmd.toUpperCase()} before CONNECT`);
    switch (packet.cmd) {
      case 'publish':
        return this.onPublish(packet);
      case 'pubrel':
        return this.queueAck(this.ctx.sessions.release(this.clientId, packet.messageId!), { cmd: 'pubcomp', messageId: packet.messageId });
      case 'puback':
        this.subscription?.acked(packet.messageId!);
        return;
      case 'subscribe':
        return this.onSubscribe(packet);
      case 'unsubscribe':
        return this.onUnsubscribe(packet);
      case 'pingreq':
        return this.write({ cmd: 'pingresp' });
      case 'disconnect':
        if (packet.reasonCode !== ReasonCode.DISCONNECT_WITH_WILL_MESSAGE) this.will = null;
        if (this.persistent && packet.properties?.sessionExpiryInterval !== undefined) this.expiryMs = expiryOf(packet.properties.sessionExpiryInterval);
        return this.close('client disconnected');
      default:
        return this.close(`unexpected ${packet.cmd.toUpperCase()}`, ReasonCode.PROTOCOL_ERROR);
    }
  }

  private get v5(): boolean {
    return this.settings.protocolVersion === 5;
  }

  private async onConnect(packet: mqtt.IConnectPacket): Promise<void> {
    this.settings.protocolVersion = packet.protocolVersion ?? 4;
    const cleanStart = packet.clean !== false;
    this.persistent = this.v5 ? (packet.properties?.sessionExpiryInterval ?? 0) > 0 : !cleanStart;
    this.expiryMs = this.v5 ? expiryOf(packet.properties?.sessionExpiryInterval ?? 0) : null;
    let clientId = packet.clientId;
    const assigned = clientId === '';
    if (assigned && !this.v5 && !cleanStart) return this.refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, 2, 'an empty client id needs a clean session');
    if (/[\u0000\uFFFD]/.test(clientId)) return this.refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, 2, 'client id is not valid UTF-8');
    if (assigned) clientId = `gregor-${randomUUID()}`;
    const remote = `${this.socket.remoteAddress}:${this.socket.remotePort}`;
    const allowed = await this.ctx.authenticator
      .authenticate({ clientId, username: packet.username, password: packet.password, remoteAddress: remote })
      .catch(() => false);
    if (!allowed) return this.refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, 4, 'bad user name or password');
    await waitAtMost(this.ctx.mappingsReady, TABLE_WAIT_MS);
    if (this.closed) return;
    if (packet.will) {
      try {
        this.ctx.publisher.resolve(packet.will.topic);
      } catch (err) {
        const error = err as MqttError;
        if (this.v5) return this.refuse(error.reasonCode, 0, `will: ${error.message}`);
        return this.close(`will: ${error.message}`);
      }
    }
    this.clientId = clientId;
    await this.ctx.sessions.claim(clientId, this);
    if (cleanStart) await this.ctx.endSession(clientId);
    const stored = this.persistent && !cleanStart ? await this.ctx.subscriptions.lookup(clientId) : undefined;
    const resumed = stored && !expired(stored, Date.now()) ? stored : undefined;
    if (stored && !resumed) await this.ctx.endSession(clientId);
    // Held by a connection again: no broker may end it while this one lasts.
    if (resumed && (resumed.disconnectedAt !== null || resumed.expiryMs !== this.expiryMs)) {
      await this.ctx.subscriptions.save(clientId, { ...resumed, expiryMs: this.expiryMs, disconnectedAt: null });
    }
    if (this.closed) return;
    this.connected = true;
    this.will = packet.will ?? null;
    this.keepAliveMs = (packet.keepalive ?? 0) * 1500;
    if (this.v5) this.inflightWindow = Math.min(packet.properties?.receiveMaximum ?? 65535, 65535);
    this.restartKeepAlive();
    await this.write(
      this.v5
        ? {
            cmd: 'connack',
            reasonCode: ReasonCode.SUCCESS,
            sessionPresent: resumed !== undefined,
            properties: {
              ...(assigned ? { assignedClientIdentifier: clientId } : {}),
              topicAliasMaximum: 0,
              maximumPacketSize: this.ctx.maxPacketBytes,
              retainAvailable: true,
              wildcardSubscriptionAvailable: true,
              sharedSubscriptionAvailable: false,
              subscriptionIdentifiersAvailable: false,
            },
          }
        : { cmd: 'connack', returnCode: 0, sessionPresent: resumed !== undefined },
    );
    // The session's subscriptions read on from their committed positions; retained messages are
    // for new subscriptions only.
    if (resumed) await this.addFilters(resumed.subscriptions);
  }

  private async refuse(reasonCode: number, returnCode: number, why: string): Promise<void> {
    await this.write(this.v5 ? { cmd: 'connack', reasonCode, sessionPresent: false } : { cmd: 'connack', returnCode, sessionPresent: false });
    this.will = null;
    await this.close(why);
  }

  private onPublish(packet: mqtt.IPublishPacket): Promise<void> | void {
    if (packet.properties?.topicAlias !== undefined) return this.close('topic alias beyond the maximum of 0', ReasonCode.TOPIC_ALIAS_INVALID);
    let resolved: ResolvedTopic;
    try {
      resolved = this.ctx.publisher.resolve(packet.topic);
    } catch (err) {
      const error = err as MqttError;
      // A wildcard in a topic name breaks the protocol; an unmapped topic is refused where MQTT 5 can say so.
      if (error.code === 'UNMAPPED_TOPIC' && this.v5 && packet.qos > 0) return this.queueAck(Promise.reject(error), this.ackOf(packet));
      return this.close(error.message, error.reasonCode);
    }
    const stored = packet.qos === 2
      ? this.ctx.sessions.storeOnce(this.clientId, packet.messageId!, packet.dup, () => this.ctx.publisher.publish(packet, resolved))
      : this.ctx.publisher.publish(packet, resolved);
    this.countPending(stored);
    if (packet.qos === 0) stored.catch(() => undefined);
    else this.queueAck(stored, this.ackOf(packet));
  }

  private ackOf(packet: mqtt.IPublishPacket): Ack {
    return packet.qos === 2 ? { cmd: 'pubrec', messageId: packet.messageId } : { cmd: 'puback', messageId: packet.messageId };
  }

  /** Stops reading the socket while too many appends are outstanding: a fast publisher cannot fill the broker's memory. */
  private countPending(stored: Promise<void>): void {
    if (++this.pendingPublishes === MAX_PENDING_PUBLISHES) this.socket.pause();
    void stored.catch(() => undefined).then(() => {
      if (this.pendingPublishes-- === MAX_PENDING_PUBLISHES && !this.closed) this.socket.resume();
    });
  }

  /**
   * Sends the acknowledgement once `done` settles and every earlier one is out. A failed append is
   * told to an MQTT 5 client by reason code; a 3.1.1 client has no way to hear it but the close.
   */
  private queueAck(done: Promise<void>, ack: Ack): void {
    const earlier = this.acks;
    this.acks = (async () => {
      const failure = await done.then(() => null, (err: unknown) => err);
      await earlier;
      if (failure === null) return this.write(ack);
      const reasonString = (failure as Error).message;
      if (this.v5) return this.write({ ...ack, reasonCode: reasonOf(failure), properties: { reasonString } });
      return this.close(`publish failed: ${reasonString}`);
    })();
  }

  private async onSubscribe(packet: mqtt.ISubscribePacket): Promise<void> {
    const granted = packet.subscriptions.map((sub) => {
      const refused = this.refusal(sub.topic);
      // 3.1.1 knows one failure code, 0x80.
      return refused === null ? Math.min(sub.qos, 1) : this.v5 ? refused : ReasonCode.UNSPECIFIED_ERROR;
    });
    const added = await this.addFilters(
      packet.subscriptions.flatMap((sub, i) => (granted[i]! <= 1 ? [{ filter: sub.topic, qos: granted[i] as mqtt.QoS }] : [])),
      (failed) => (granted[packet.subscriptions.findIndex((sub) => sub.topic === failed)] = ReasonCode.UNSPECIFIED_ERROR),
    );
    await this.saveSubscriptions();
    await this.write({ cmd: 'suback', messageId: packet.messageId, granted });
    const retainHandling = new Map(packet.subscriptions.map((sub) => [sub.topic, sub.rh]));
    await this.sendRetained(added.filter((sub) => retainHandling.get(sub.filter) !== 2));
  }

  /** Adds filters to the connection's log subscription (made on first use); returns those it could read. */
  private async addFilters(filters: readonly StoredSubscription[], onFailed: (filter: string) => void = () => undefined): Promise<StoredSubscription[]> {
    this.subscription ??= new LogSubscription({
      source: this.persistent
        ? new TopicsConsumer(new Consumer({ cluster: this.ctx.cluster, groupId: sessionGroup(this.clientId), autoOffsetReset: 'latest', maxBufferedBytes: MAX_BUFFERED_BYTES }))
        : this.ctx.liveTails.reader(),
      persistent: this.persistent,
      mappings: this.ctx.publisher.mappings,
      inflightWindow: this.inflightWindow,
      sink: (publish) => this.write(publish),
      commitIntervalMs: this.ctx.commitIntervalMs,
      onError: (err) => void this.close(`delivery failed: ${(err as Error).message}`, ReasonCode.UNSPECIFIED_ERROR),
    });
    const added: StoredSubscription[] = [];
    for (const sub of filters) {
      try {
        await this.subscription.add(sub.filter, sub.qos);
        added.push(sub);
      } catch {
        // Its log topic could not be read (deleted, or the cluster unreachable): refused, the rest stand.
        this.subscription.remove(sub.filter);
        onFailed(sub.filter);
      }
    }
    return added;
  }

  /** A persistent session's subscriptions are saved before SUBACK or UNSUBACK answers a change. */
  private async saveSubscriptions(): Promise<void> {
    if (this.persistent && this.subscription) await this.ctx.subscriptions.save(this.clientId, { subscriptions: this.subscription.subscribed(), expiryMs: this.expiryMs, disconnectedAt: null });
  }

  /** Why a filter cannot be subscribed (an MQTT 5 reason code), or null. */
  private refusal(filter: string): number | null {
    if (filter.startsWith('$share/')) return ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
    try {
      validateTopicFilter(filter);
      return null;
    } catch (err) {
      return (err as MqttError).reasonCode;
    }
  }

  private async sendRetained(subscriptions: readonly StoredSubscription[]): Promise<void> {
    if (subscriptions.length === 0) return;
    await waitAtMost(this.ctx.retained.ready, TABLE_WAIT_MS);
    for (const sub of subscriptions) {
      for (const message of this.ctx.retained.matching(sub.filter)) {
        if (this.closed || !this.subscription) return;
        await this.subscription.deliverRetained({ topic: message.topic, payload: message.payload, qos: Math.min(message.qos, sub.qos) as mqtt.QoS, userProperties: {} });
      }
    }
  }

  private async onUnsubscribe(packet: mqtt.IUnsubscribePacket): Promise<void> {
    const results = packet.unsubscriptions.map((filter) => (this.subscription?.remove(filter) ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED));
    await this.saveSubscriptions();
    await this.write(this.v5 ? { cmd: 'unsuback', messageId: packet.messageId, granted: results } : { cmd: 'unsuback', messageId: packet.messageId, granted: [] });
  }

  private restartKeepAlive(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.connected && this.keepAliveMs > 0) this.timer = setTimeout(() => void this.close('keep-alive expired', ReasonCode.KEEP_ALIVE_TIMEOUT), this.keepAliveMs);
  }

  /**
   * Writes a packet; resolves once the socket takes more (at once unless its buffer is full), or on
   * close. Packets written in one turn of the event loop (the acks of one committed batch, the
   * deliveries of one fetch) leave in one system call rather than one each.
   */
  private write(packet: mqtt.Packet): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    if (this.socket.write(mqtt.generate(packet, this.settings))) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  async takeOver(): Promise<void> {
    await this.close('session taken over', ReasonCode.SESSION_TAKEN_OVER);
  }

  /** Shuts the connection without a will: the broker is stopping. */
  async shutdown(): Promise<void> {
    this.will = null;
    await this.close('broker stopping', ReasonCode.SERVER_SHUTTING_DOWN);
  }

  /**
   * Closes once: an MQTT 5 client is told why (when a reason code is given), the will goes out unless
   * the client disconnected cleanly, and a persistent session saves its positions.
   */
  close(reason: string, reasonCode?: number): Promise<void> {
    this.closing ??= this.closeOnce(reason, reasonCode);
    return this.closing;
  }

  private async closeOnce(reason: string, reasonCode: number | undefined): Promise<void> {
    if (this.connected && this.v5 && reasonCode !== undefined) {
      this.socket.write(mqtt.generate({ cmd: 'disconnect', reasonCode, properties: { reasonString: reason.slice(0, 200) } }, this.settings));
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket.destroySoon();
    // A peer that reads nothing would keep the socket open forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
    this.drainWaiters.splice(0).forEach((wake) => wake());
    this.queue.length = 0;
    if (this.connected) this.ctx.sessions.leave(this.clientId, this);
    const will = this.will;
    this.will = null;
    await Promise.all([
      this.subscription?.close().catch(() => undefined),
      will && this.publishWill(will),
    ]);
    if (this.connected && this.persistent && this.expiryMs !== null && this.subscription) {
      const session = { subscriptions: this.subscription.subscribed(), expiryMs: this.expiryMs, disconnectedAt: Date.now() };
      // Not saved, the session lasts until a clean start instead of its expiry.
      await this.ctx.subscriptions.save(this.clientId, session).catch(() => undefined);
    }
    this.ctx.onClosed(reason);
  }

  private async publishWill(will: Will): Promise<void> {
    const packet: mqtt.IPublishPacket = {
      cmd: 'publish',
      topic: will.topic,
      payload: will.payload,
      qos: will.qos ?? 0,
      retain: will.retain ?? false,
      dup: false,
      properties: will.properties?.userProperties ? { userProperties: will.properties.userProperties } : undefined,
    };
    try {
      await this.ctx.publisher.publish(packet, this.ctx.publisher.resolve(will.topic));
    } catch {
      // A will to an unmapped topic, or a cluster that cannot take it: the client is gone, nobody to tell.
    }
  }
}

/** An MQTT 5 session expiry interval (s) in ms; 0xFFFFFFFF never expires. */
function expiryOf(seconds: number): number | null {
  return seconds === 0xffffffff ? null : seconds * 1000;
}

/** The MQTT 5 reason code for a failed publish. */
function reasonOf(err: unknown): number {
  if (err instanceof MqttError) return err.reasonCode;
  const error = GregorError.from(err);
  return error.code === 'RESOURCE_EXHAUSTED' ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
}
