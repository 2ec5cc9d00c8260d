import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { IPublishPacket } from 'mqtt-packet';
import { Admin, Consumer, Producer } from '@gregor/client';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { sessionGroup } from '../src';
import { connectRaw, rawMqtt, receivePublishes } from './raw-mqtt';

const CLI = path.resolve(__dirname, '../../cli/dist/main.js');
const run = promisify(execFile);
const MAX_CONNECTIONS = 300;
const MAX_PACKET_BYTES = 65536;

interface StoredRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** A message as a subscriber got it. */
interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
  userProperties: Record<string, unknown> | undefined;
}

/**
 * MQTT clients nobody here wrote (mqtt.js, mosquitto_pub and mosquitto_sub) against one broker
 * process whose MQTT listener maps `chat/+room/messages` to the log topic chat (keyed by room) and
 * `dev/#` to devices, `sensors/+id` to sensors (keyed by id); and raw packets that break the protocol, each closed without touching the log.
 */
describe('the MQTT listener', () => {
  let broker: BrokerProcess;
  let admin: Admin;
  let port: number;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startBroker({
      mqtt: true,
      config: {
        'mqtt-map': 'chat/+room/messages -> chat, key = room; dev/# -> devices; sensors/+id -> sensors, key = id',
        'mqtt-max-connections': MAX_CONNECTIONS,
        'mqtt-max-packet-bytes': MAX_PACKET_BYTES,
      },
    });
    port = broker.mqttPort;
    admin = new Admin({ brokers: [broker.address] });
    await admin.createTopic('chat', { partitions: 3, replicationFactor: 1 });
    await admin.createTopic('devices', { partitions: 1, replicationFactor: 1 });
    await admin.createTopic('sensors', { partitions: 1, replicationFactor: 1 });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  });

  afterAll(async () => {
    admin?.close();
    await broker?.cleanup();
  });

  async function client(options: IClientOptions = {}): Promise<MqttClient> {
    const c = await connectAsync(broker.mqttUrl, { reconnectPeriod: 0, ...options });
    clients.push(c);
    return c;
  }

  /** Collects what a client receives. */
  function inbox(c: MqttClient): Received[] {
    const got: Received[] = [];
    c.on('message', (topic, payload, packet: IPublishPacket) => {
      got.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos, userProperties: packet.properties?.userProperties });
    });
    return got;
  }

  async function endOffsets(topic: string): Promise<number[]> {
    return (await admin.listOffsets(topic, 'latest')).map((p) => p.highWatermark);
  }

  /** Every record of a topic from `from` (per partition, default the start) to its end, read over gRPC. */
  async function records(topic: string, from?: number[]): Promise<StoredRecord[]> {
    const ends = await endOffsets(topic);
    const consumer = new Consumer({ brokers: [broker.address] });
    try {
      const out: StoredRecord[] = [];
      const wanted = ends.reduce((n, end, p) => n + end - (from?.[p] ?? 0), 0);
      await consumer.assign(ends.map((_, partition) => ({ topic, partition })));
      for (const [partition] of ends.entries()) await consumer.seek({ topic, partition }, from?.[partition] ?? 0);
      if (wanted === 0) return out;
      for await (const r of consumer) {
        const headers: Record<string, string> = {};
        for (const h of r.headers) headers[h.key] = h.value?.toString() ?? '';
        out.push({ partition: r.partition, offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? '', headers });
        if (out.length === wanted) break;
      }
      return out;
    } finally {
      await consumer.close();
    }
  }

  it('mqtt.js publishes at QoS 0, 1 and 2 over 3.1.1 and 5: records keyed by the room, the MQTT topic, QoS and user properties in headers; gregor consume reads them', async () => {
    const before = await endOffsets('chat');
    const v4 = await client({ protocolVersion: 4 });
    const v5 = await client({ protocolVersion: 5 });
    await v4.publishAsync('chat/lobby/messages', 'v4 qos0', { qos: 0 });
    await v4.publishAsync('chat/lobby/messages', 'v4 qos1', { qos: 1 });
    await v4.publishAsync('chat/lobby/messages', 'v4 qos2', { qos: 2 });
    await v5.publishAsync('chat/kitchen/messages', 'v5 qos1', { qos: 1, properties: { userProperties: { sender: 'ana', tag: ['a', 'b'] } } });
    await v5.publishAsync('chat/kitchen/messages', 'v5 qos2', { qos: 2 });
    // QoS 0 is not acknowledged: a QoS 1 publish behind it on the same connection is.
    const stored = await waitFor(async () => {
      const got = await records('chat', before);
      return got.length === 5 ? got : null;
    }, 20_000, 'five records in chat');
    const byValue = new Map(stored.map((r) => [r.value, r]));
    expect([...byValue.keys()].sort()).toEqual(['v4 qos0', 'v4 qos1', 'v4 qos2', 'v5 qos1', 'v5 qos2']);
    for (const v of ['v4 qos0', 'v4 qos1', 'v4 qos2']) expect(byValue.get(v)).toMatchObject({ key: 'lobby', headers: { 'mqtt.topic': 'chat/lobby/messages' } });
    expect(byValue.get('v4 qos0')!.headers['mqtt.qos']).toBe('0');
    expect(byValue.get('v4 qos2')!.headers['mqtt.qos']).toBe('2');
    expect(byValue.get('v5 qos1')).toMatchObject({ key: 'kitchen', headers: { 'mqtt.topic': 'chat/kitchen/messages', sender: 'ana', tag: 'b' } });
    // One room's messages share a partition, in publish order.
    const lobby = stored.filter((r) => r.key === 'lobby');
    expect(new Set(lobby.map((r) => r.partition)).size).toBe(1);
    expect(lobby.sort((a, b) => a.offset - b.offset).map((r) => r.value)).toEqual(['v4 qos0', 'v4 qos1', 'v4 qos2']);

    const { stdout } = await run(process.execPath, [CLI, 'consume', 'chat', '--from-beginning', '-n', String(before.reduce((a, b) => a + b, 0) + 5), '--format', 'json'], { env: { ...process.env, GREGOR_BROKER: broker.address } });
    const printed = stdout.trim().split('\n').map((line) => JSON.parse(line) as { key: string; value: string; headers: Record<string, string> });
    expect(printed.find((r) => r.value === 'v5 qos2')).toMatchObject({ key: 'kitchen', headers: { 'mqtt.topic': 'chat/kitchen/messages', 'mqtt.qos': '2' } });
  });

  it('mosquitto_sub receives what mosquitto_pub publishes at QoS 0, 1 and 2', async () => {
    // Line-buffered: mosquitto_sub's debug lines say when it is subscribed.
    const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-p', String(port), '-t', 'chat/+/messages', '-q', '1', '-C', '3', '-d', '-F', 'MSG %t %p']);
    let out = '';
    sub.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    const exited = new Promise<number | null>((resolve) => sub.once('close', resolve));
    try {
      await waitFor(() => out.includes('SUBACK'), 10_000, 'mosquitto_sub subscribed');
      for (const qos of [0, 1, 2]) {
        const pub = await run('mosquitto_pub', ['-p', String(port), '-t', `chat/m${qos}/messages`, '-m', `from mosquitto ${qos}`, '-q', String(qos)]);
        expect(pub.stderr).toBe('');
      }
      expect(await exited).toBe(0);
      const messages = out.split('\n').filter((line) => line.startsWith('MSG ')).sort();
      expect(messages).toEqual(['MSG chat/m0/messages from mosquitto 0', 'MSG chat/m1/messages from mosquitto 1', 'MSG chat/m2/messages from mosquitto 2']);
    } finally {
      sub.kill();
    }
  });

  it('a record produced over gRPC to a mapped topic reaches an MQTT subscriber, its topic made from its key', async () => {
    const sub = await client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('chat/+/messages', { qos: 1 });
    const producer = new Producer({ brokers: [broker.address] });
    try {
      await producer.send('chat', { key: 'r42', value: 'from the backend', headers: { origin: 'grpc' } });
    } finally {
      await producer.close();
    }
    await waitFor(() => got.length >= 1, 10_000, 'the record delivered');
    expect(got[0]).toMatchObject({ topic: 'chat/r42/messages', payload: 'from the backend', qos: 1, userProperties: { origin: 'grpc' } });
  });

  it('a persistent session that disconnects, misses 1,000 messages and reconnects gets all 1,000, in order per room', async () => {
    const session = { clientId: 'phone-1', clean: false, protocolVersion: 4 as const };
    const phone = await client(session);
    await phone.subscribeAsync('chat/+/messages', { qos: 1 });
    await phone.endAsync();
    const sender = await client();
    const sent = Array.from({ length: 1000 }, (_, i) => ({ room: `room${i % 7}`, text: `missed ${i}` }));
    await Promise.all(sent.map((m) => sender.publishAsync(`chat/${m.room}/messages`, m.text, { qos: 1 })));
    const back = await connectAsync(broker.mqttUrl, { ...session, reconnectPeriod: 0, manualConnect: false });
    clients.push(back);
    const got = inbox(back);
    await back.subscribeAsync('chat/+/messages', { qos: 1 });
    await waitFor(() => got.length >= 1000, 30_000, '1,000 missed messages');
    expect(got).toHaveLength(1000);
    for (let room = 0; room < 7; room++) {
      const topic = `chat/room${room}/messages`;
      expect(got.filter((m) => m.topic === topic).map((m) => m.payload)).toEqual(sent.filter((m) => m.room === `room${room}`).map((m) => m.text));
    }
  });

  it('a persistent session resumes with its subscriptions in place: session present, what it missed sent without a SUBSCRIBE', async () => {
    const session = { clientId: 'phone-3', clean: false, protocolVersion: 4 as const };
    const phone = await client(session);
    await phone.subscribeAsync('chat/+/messages', { qos: 1 });
    await phone.endAsync();
    const sender = await client();
    for (let i = 0; i < 20; i++) await sender.publishAsync(`chat/r${i % 3}/messages`, `while away ${i}`, { qos: 1 });
    const raw = await rawMqtt(port);
    try {
      expect(await connectRaw(raw, 'phone-3', 4, false)).toMatchObject({ cmd: 'connack', sessionPresent: true });
      const got = await receivePublishes(raw, 20);
      expect([...got].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `while away ${i}`).sort());
    } finally {
      raw.end();
    }
    const fresh = await rawMqtt(port);
    try {
      expect(await connectRaw(fresh, 'phone-3', 4, true)).toMatchObject({ cmd: 'connack', sessionPresent: false });
    } finally {
      fresh.end();
    }
    const after = await rawMqtt(port);
    try {
      expect(await connectRaw(after, 'phone-3', 4, false)).toMatchObject({ cmd: 'connack', sessionPresent: false });
    } finally {
      after.end();
    }
  });

  it('an MQTT 5 session ends when its expiry interval has passed without a connection, not before', async () => {
    const connect = (expiry: number) => ({ cmd: 'connect', clientId: 'expiring', protocolId: 'MQTT', protocolVersion: 5, clean: false, keepalive: 60, properties: { sessionExpiryInterval: expiry } }) as const;
    const first = await rawMqtt(port, 5);
    first.send(connect(2));
    expect(await first.next()).toMatchObject({ cmd: 'connack', sessionPresent: false });
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'chat/+/messages', qos: 1 }] });
    expect(await first.next()).toMatchObject({ cmd: 'suback', granted: [1] });
    first.end();
    await first.closed;
    const within = await rawMqtt(port, 5);
    within.send(connect(2));
    expect(await within.next()).toMatchObject({ cmd: 'connack', sessionPresent: true });
    within.end();
    await within.closed;
    await waitFor(async () => (await admin.fetchOffsets(sessionGroup('expiring'))).length === 0, 30_000, "the expired session's positions deleted");
    const after = await rawMqtt(port, 5);
    try {
      after.send(connect(2));
      expect(await after.next()).toMatchObject({ cmd: 'connack', sessionPresent: false });
    } finally {
      after.end();
    }
  });

  it('a clean start discards the positions of the persistent session before it', async () => {
    const session = { clientId: 'phone-2', clean: false, protocolVersion: 4 as const };
    const phone = await client(session);
    await phone.subscribeAsync('chat/+/messages', { qos: 1 });
    await phone.endAsync();
    await waitFor(async () => (await admin.fetchOffsets(sessionGroup('phone-2'))).length > 0, 10_000, "the session's positions committed");
    const sender = await client();
    for (let i = 0; i < 5; i++) await sender.publishAsync('chat/lobby/messages', `missed ${i}`, { qos: 1 });
    await (await client({ clientId: 'phone-2', clean: true })).endAsync();
    await waitFor(async () => (await admin.fetchOffsets(sessionGroup('phone-2'))).length === 0, 10_000, "the session's positions deleted");
    const again = await client(session);
    const got = inbox(again);
    await again.subscribeAsync('chat/+/messages', { qos: 1 });
    await sender.publishAsync('chat/lobby/messages', 'after', { qos: 1 });
    await waitFor(() => got.length >= 1, 10_000, 'the message published after');
    expect(got.map((m) => m.payload)).toEqual(['after']);
  });

  it('a retained message is delivered on subscribe, flagged retained; the latest replaces it', async () => {
    const pub = await client();
    await pub.publishAsync('dev/lamp/state', 'on', { qos: 1, retain: true });
    await pub.publishAsync('dev/lamp/state', 'dimmed', { qos: 1, retain: true });
    await pub.publishAsync('dev/fan/state', 'off', { qos: 0, retain: true });
    await pub.publishAsync('dev/lamp/state', 'not retained', { qos: 1 });
    const sub = await client({ protocolVersion: 5 });
    const got = inbox(sub);
    await sub.subscribeAsync('dev/+/state', { qos: 1 });
    await waitFor(() => got.length >= 2, 10_000, 'two retained messages');
    expect(got.sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
      { topic: 'dev/fan/state', payload: 'off', retain: true, qos: 0, userProperties: undefined },
      { topic: 'dev/lamp/state', payload: 'dimmed', retain: true, qos: 1, userProperties: undefined },
    ]);
  });

  it('publishes the will on an abrupt disconnect, not on a clean one', async () => {
    const watcher = await client();
    const got = inbox(watcher);
    await watcher.subscribeAsync('dev/+/status', { qos: 1 });
    const polite = await client({ will: { topic: 'dev/polite/status', payload: Buffer.from('polite gone'), qos: 1, retain: false } });
    await polite.endAsync();
    const rude = await client({ will: { topic: 'dev/rude/status', payload: Buffer.from('rude gone'), qos: 1, retain: false } });
    rude.stream.destroy();
    await waitFor(() => got.some((m) => m.payload === 'rude gone'), 10_000, 'the will');
    expect(got.map((m) => m.payload)).toEqual(['rude gone']);
  });

  it('a QoS 2 PUBLISH retried after a reconnect is stored once', async () => {
    const before = await endOffsets('devices');
    const first = await rawMqtt(port);
    await connectRaw(first, 'qos2-retrier', 4, false);
    const publish = { cmd: 'publish' as const, topic: 'dev/meter/reading', payload: Buffer.from('42 kWh'), qos: 2 as const, messageId: 7, dup: false, retain: false };
    first.send(publish);
    expect(await first.next()).toMatchObject({ cmd: 'pubrec', messageId: 7 });
    first.end();
    await first.closed;
    const second = await rawMqtt(port);
    try {
      await connectRaw(second, 'qos2-retrier', 4, false);
      second.send({ ...publish, dup: true });
      expect(await second.next()).toMatchObject({ cmd: 'pubrec', messageId: 7 });
      second.send({ cmd: 'pubrel', messageId: 7 });
      expect(await second.next()).toMatchObject({ cmd: 'pubcomp', messageId: 7 });
      // Released: the same id names a new message now.
      second.send({ ...publish, payload: Buffer.from('43 kWh') });
      expect(await second.next()).toMatchObject({ cmd: 'pubrec', messageId: 7 });
    } finally {
      second.end();
    }
    expect((await records('devices', before)).map((r) => r.value)).toEqual(['42 kWh', '43 kWh']);
  });

  it('honours the subscriber\'s receive maximum: no more unacknowledged deliveries than it allows', async () => {
    const sub = await rawMqtt(port, 5);
    try {
      sub.send({ cmd: 'connect', clientId: 'slow-reader', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, properties: { receiveMaximum: 5 } });
      expect(await sub.next()).toMatchObject({ cmd: 'connack', reasonCode: 0 });
      sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'chat/window/messages', qos: 1 }] });
      expect(await sub.next()).toMatchObject({ cmd: 'suback', granted: [1] });
      const pub = await client();
      await Promise.all(Array.from({ length: 20 }, (_, i) => pub.publishAsync('chat/window/messages', `w${i}`, { qos: 1 })));
      const got: IPublishPacket[] = [];
      for (let i = 0; i < 5; i++) got.push((await sub.next()) as IPublishPacket);
      // All 20 are committed, yet only the window's 5 came; each PUBACK lets exactly one more through.
      for (let i = 5; i < 20; i++) {
        sub.send({ cmd: 'puback', messageId: got[i - 5]!.messageId });
        got.push((await sub.next()) as IPublishPacket);
        expect(got.length).toBe(i + 1);
      }
      expect(got.map((p) => p.payload.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `w${i}`));
    } finally {
      sub.end();
    }
  });

  it('clean subscribers share one reader; a stalled one falls behind on its own, missing nothing, and holds no one back', async () => {
    const slow = await rawMqtt(port, 5);
    try {
      slow.send({ cmd: 'connect', clientId: 'stalled', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, properties: { receiveMaximum: 1 } });
      expect(await slow.next()).toMatchObject({ cmd: 'connack', reasonCode: 0 });
      slow.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'chat/flood/messages', qos: 1 }] });
      expect(await slow.next()).toMatchObject({ cmd: 'suback', granted: [1] });
      const fast = await client();
      const fastGot = inbox(fast);
      await fast.subscribeAsync('chat/flood/messages', { qos: 1 });
      const pub = await client();
      // 300 of 8 KiB: more than the 1 MiB a reader may leave waiting on the shared tail.
      const sent = Array.from({ length: 300 }, (_, i) => `${i}`.padEnd(8192, '.'));
      for (const value of sent) await pub.publishAsync('chat/flood/messages', value, { qos: 1 });
      await waitFor(() => fastGot.length >= 300, 30_000, 'the fast subscriber to get all 300');
      expect(fastGot.map((m) => m.payload)).toEqual(sent);
      const slowGot: string[] = [];
      while (slowGot.length < 300) {
        const delivery = (await slow.next()) as IPublishPacket;
        slowGot.push(delivery.payload.toString());
        slow.send({ cmd: 'puback', messageId: delivery.messageId });
      }
      expect(slowGot).toEqual(sent);
      // Reading on its own now, it still takes a subscription to another log topic.
      slow.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'dev/+/alarm', qos: 1 }] });
      expect(await slow.next()).toMatchObject({ cmd: 'suback', granted: [1] });
      await pub.publishAsync('dev/door/alarm', 'open', { qos: 1 });
      expect(await slow.next()).toMatchObject({ cmd: 'publish', topic: 'dev/door/alarm', payload: Buffer.from('open') });
    } finally {
      slow.end();
    }
  });

  it('subscribers, clean and persistent, get what is published to partitions added to the log topic after they subscribed', async () => {
    const clean = await client();
    const persistent = await client({ clientId: 'gauge', clean: false, protocolVersion: 4 });
    const cleanGot = inbox(clean);
    const persistentGot = inbox(persistent);
    await clean.subscribeAsync('sensors/+', { qos: 1 });
    await persistent.subscribeAsync('sensors/+', { qos: 1 });
    await admin.createPartitions('sensors', 4);
    const pub = await client();
    const sent: string[] = [];
    // Until the broker's producer knows the new partitions and keys land in each of them.
    await waitFor(async () => {
      for (let i = 0; i < 20; i++) {
        const id = `s${sent.length}`;
        await pub.publishAsync(`sensors/${id}`, id, { qos: 1 });
        sent.push(id);
      }
      return (await endOffsets('sensors')).every((end) => end > 0);
    }, 30_000, 'records in all four partitions');
    const byPartition = new Map((await records('sensors')).map((r) => [r.value, r.partition]));
    expect(new Set(byPartition.values()).size).toBe(4);
    for (const got of [cleanGot, persistentGot]) {
      await waitFor(() => got.length >= sent.length, 30_000, `all ${sent.length} messages`);
      expect(got.map((m) => m.payload).sort()).toEqual([...sent].sort());
    }
  }, 90_000);

  it('hands a client id to the newest connection: the older one is told the session was taken over', async () => {
    const older = await rawMqtt(port, 5);
    const newer = await rawMqtt(port, 5);
    try {
      expect(await connectRaw(older, 'twin', 5)).toMatchObject({ cmd: 'connack', reasonCode: 0 });
      expect(await connectRaw(newer, 'twin', 5)).toMatchObject({ cmd: 'connack', reasonCode: 0 });
      expect(await older.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x8e });
      await older.closed;
      newer.send({ cmd: 'pingreq' });
      expect(await newer.next()).toMatchObject({ cmd: 'pingresp' });
    } finally {
      newer.end();
    }
  });

  it('refuses an unmapped topic: MQTT 5 with PUBACK reason 0x90 on a connection that stays open, 3.1.1 by closing', async () => {
    const before = await endOffsets('chat');
    const v5 = await rawMqtt(port, 5);
    try {
      await connectRaw(v5, 'unmapped-5', 5);
      v5.send({ cmd: 'publish', topic: 'nowhere/at/all', payload: Buffer.from('x'), qos: 1, messageId: 3, dup: false, retain: false });
      expect(await v5.next()).toMatchObject({ cmd: 'puback', messageId: 3, reasonCode: 0x90 });
      v5.send({ cmd: 'pingreq' });
      expect(await v5.next()).toMatchObject({ cmd: 'pingresp' });
    } finally {
      v5.end();
    }
    const v4 = await rawMqtt(port);
    await connectRaw(v4, 'unmapped-4');
    v4.send({ cmd: 'publish', topic: 'nowhere/at/all', payload: Buffer.from('x'), qos: 1, messageId: 3, dup: false, retain: false });
    await v4.closed;
    expect(await endOffsets('chat')).toEqual(before);
  });

  describe('closes a connection that breaks the protocol, and stores nothing of it', () => {
    let before: number[];
    beforeEach(async () => {
      before = [...(await endOffsets('chat')), ...(await endOffsets('devices'))];
    });
    afterEach(async () => {
      // Another client is served as before, and the log holds nothing of the bad connection.
      const good = await client();
      await good.publishAsync('chat/after/messages', 'still served', { qos: 1 });
      const after = [...(await endOffsets('chat')), ...(await endOffsets('devices'))];
      expect(after.reduce((a, b) => a + b, 0)).toBe(before.reduce((a, b) => a + b, 0) + 1);
    });

    it('a PUBLISH before CONNECT', async () => {
      const raw = await rawMqtt(port);
      raw.send({ cmd: 'publish', topic: 'chat/x/messages', payload: Buffer.from('early'), qos: 1, messageId: 1, dup: false, retain: false });
      await raw.closed;
    });

    it('a remaining length over the maximum packet size (MQTT 5: DISCONNECT 0x95)', async () => {
      const raw = await rawMqtt(port, 5);
      await connectRaw(raw, 'too-big', 5);
      raw.send({ cmd: 'publish', topic: 'chat/x/messages', payload: Buffer.alloc(MAX_PACKET_BYTES), qos: 1, messageId: 1, dup: false, retain: false });
      expect(await raw.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x95 });
      await raw.closed;
    });

    it('a topic name with a wildcard (MQTT 5: DISCONNECT 0x90)', async () => {
      const raw = await rawMqtt(port, 5);
      await connectRaw(raw, 'wild', 5);
      raw.send({ cmd: 'publish', topic: 'chat/+/messages', payload: Buffer.from('wild'), qos: 1, messageId: 1, dup: false, retain: false });
      expect(await raw.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x90 });
      await raw.closed;
    });

    it('a topic name of invalid UTF-8', async () => {
      const raw = await rawMqtt(port);
      await connectRaw(raw, 'bad-utf8');
      // PUBLISH QoS 0, topic length 4: "ch" then 0xC3 0x28, which no UTF-8 encoder writes.
      raw.sendBytes(Buffer.from([0x30, 0x08, 0x00, 0x04, 0x63, 0x68, 0xc3, 0x28, 0x68, 0x69]));
      await raw.closed;
    });

    it('malformed bytes', async () => {
      const raw = await rawMqtt(port);
      await connectRaw(raw, 'garbage');
      raw.sendBytes(Buffer.from([0x00, 0x02, 0xff, 0xff]));
      await raw.closed;
    });

    it('a second CONNECT', async () => {
      const raw = await rawMqtt(port);
      await connectRaw(raw, 'twice');
      raw.send({ cmd: 'connect', clientId: 'twice', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60 });
      await raw.closed;
    });

    it('silence past 1.5 times the keep-alive (MQTT 5: DISCONNECT 0x8D)', async () => {
      const raw = await rawMqtt(port, 5);
      raw.send({ cmd: 'connect', clientId: 'sleepy', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 1 });
      expect(await raw.next()).toMatchObject({ cmd: 'connack' });
      expect(await raw.next(5000)).toMatchObject({ cmd: 'disconnect', reasonCode: 0x8d });
      await raw.closed;
    });
  });

  it(`holds at most ${MAX_CONNECTIONS} connections: one more is closed at once, and room made is used again`, async () => {
    // Each held connection is CONNACKed, so the broker has counted it before the extra one arrives.
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, async (_, i) => {
      const c = await rawMqtt(port);
      await connectRaw(c, `held-${i}`);
      return c;
    }));
    try {
      const extra = await rawMqtt(port);
      await extra.closed;
      // mqtt.js without reconnects neither resolves nor rejects on a socket closed before CONNACK; a raw CONNECT shows it.
      const refused = await rawMqtt(port);
      refused.send({ cmd: 'connect', clientId: 'one-too-many', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60 });
      await expect(refused.next()).rejects.toThrow('connection closed');
    } finally {
      held.forEach((c) => c.end());
    }
    await waitFor(async () => {
      const c = await connectAsync(broker.mqttUrl, { reconnectPeriod: 0, connectTimeout: 2000 }).catch(() => null);
      if (c) clients.push(c);
      return c !== null;
    }, 15_000, 'a connection once the held ones closed');
  });
});
