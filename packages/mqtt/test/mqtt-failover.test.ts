import { connectAsync, type MqttClient } from 'mqtt';
import { Admin } from '@gregor/client';
import { LocalCluster, readAll, startCluster, waitFor } from '@gregor/testkit';
import { sessionGroup } from '../src';
import { connectRaw, rawMqtt, receivePublishes } from './raw-mqtt';

/**
 * mqtt.js publishing through one broker's MQTT listener into an RF 3 partition whose leader is on
 * another broker, SIGKILLed mid-stream: every PUBACKed QoS 1 message is in the log at least once,
 * every PUBRECed QoS 2 message exactly once. And a QoS 2 PUBLISH retried on another broker after its
 * first broker was lost is stored once.
 */
describe('MQTT publishes across a leader failure', () => {
  let cluster: LocalCluster;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, mqtt: true, config: { 'mqtt-map': 'sensor/+id/reading -> readings, key = id' } });
    admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 10_000 });
    await waitFor(() => admin.createTopic('readings', { partitions: 1, replicationFactor: 3 }).then(() => true), 30_000, 'topic readings created');
  }, 90_000);

  afterAll(async () => {
    admin?.close();
    await cluster?.cleanup();
  });

  it('SIGKILL of the partition leader while mqtt.js publishes at QoS 1 and 2: none lost, QoS 2 none twice', async () => {
    const leader = await waitFor(async () => (await admin.describeTopic('readings')).partitions[0]!.leader || null, 30_000, 'a leader of readings');
    const front = cluster.ids.find((id) => id !== leader)!;
    const url = cluster.broker(front).mqttUrl;
    const clients: MqttClient[] = await Promise.all([1, 2].map((qos) => connectAsync(url, { protocolVersion: 5, clientId: `sensor-qos${qos}`, reconnectPeriod: 0 })));
    const acked: Record<1 | 2, string[]> = { 1: [], 2: [] };
    let failed = 0;
    let stop = false;
    const publishing = ([1, 2] as const).map(async (qos) => {
      const client = clients[qos - 1]!;
      for (let i = 0; !stop; i++) {
        const batch = Array.from({ length: 20 }, (_, j) => `q${qos}-${i * 20 + j}`);
        await Promise.all(batch.map((value) => client.publishAsync(`sensor/s${qos}/reading`, value, { qos }).then(
          () => acked[qos].push(value),
          () => failed++,
        )));
      }
    });
    const total = (): number => acked[1].length + acked[2].length;
    await waitFor(() => total() >= 400, 30_000, '400 messages acknowledged before the kill');
    await cluster.kill(leader, 'SIGKILL');
    const atKill = total();
    await waitFor(() => total() >= atKill + 400, 60_000, '400 more acknowledged after the kill');
    await cluster.start(leader);
    stop = true;
    await Promise.all(publishing);
    await Promise.all(clients.map((c) => c.endAsync()));

    const [end] = await admin.listOffsets('readings', 'latest');
    const stored = (await readAll(cluster.bootstrap, 'readings', new Map([[0, end!.highWatermark]]), 30_000)).get(0)!.map((r) => r.value);
    const counts = new Map<string, number>();
    for (const value of stored) counts.set(value, (counts.get(value) ?? 0) + 1);
    const lost = [...acked[1], ...acked[2]].filter((v) => !counts.has(v));
    const twice = acked[2].filter((v) => counts.get(v)! > 1);
    console.log(`MQTT across a leader SIGKILL: ${acked[1].length} QoS 1 and ${acked[2].length} QoS 2 acknowledged, ${failed} refused, ${stored.length} stored, ${lost.length} lost, ${twice.length} QoS 2 twice`);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
  }, 180_000);

  it('a persistent session resumes on another broker: session present, its subscription reading on from its position', async () => {
    const [first, second] = cluster.ids;
    const phone = await rawMqtt(cluster.broker(first!).mqttPort);
    await connectRaw(phone, 'roaming-phone', 4, false);
    phone.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'sensor/roam/reading', qos: 1 }] });
    expect(await phone.next()).toMatchObject({ cmd: 'suback', granted: [1] });
    phone.end();
    await waitFor(async () => (await admin.fetchOffsets(sessionGroup('roaming-phone'))).length > 0, 10_000, "the session's position committed");
    const sender = await connectAsync(cluster.broker(first!).mqttUrl, { reconnectPeriod: 0 });
    for (let i = 0; i < 5; i++) await sender.publishAsync('sensor/roam/reading', `missed ${i}`, { qos: 1 });
    await sender.endAsync();
    const back = await rawMqtt(cluster.broker(second!).mqttPort);
    try {
      expect(await connectRaw(back, 'roaming-phone', 4, false)).toMatchObject({ cmd: 'connack', sessionPresent: true });
      const got = await receivePublishes(back, 5);
      expect(got).toEqual(Array.from({ length: 5 }, (_, i) => `missed ${i}`));
    } finally {
      back.end();
    }
  }, 60_000);

  it('a QoS 2 PUBLISH retried on another broker, its first lost before PUBREL, is stored once; the released id is new again', async () => {
    const [first, second] = cluster.ids;
    const [before] = await admin.listOffsets('readings', 'latest');
    const publish = (messageId: number, value: string, dup: boolean) =>
      ({ cmd: 'publish', topic: 'sensor/retry/reading', payload: Buffer.from(value), qos: 2, messageId, dup, retain: false }) as const;
    const phone = await rawMqtt(cluster.broker(first!).mqttPort);
    await connectRaw(phone, 'retrying-phone', 4, false);
    phone.send(publish(7, 'once', false));
    expect(await phone.next()).toMatchObject({ cmd: 'pubrec', messageId: 7 });
    phone.end();

    const back = await rawMqtt(cluster.broker(second!).mqttPort);
    try {
      await connectRaw(back, 'retrying-phone', 4, false);
      back.send(publish(7, 'once', true));
      expect(await back.next()).toMatchObject({ cmd: 'pubrec', messageId: 7 });
      back.send({ cmd: 'pubrel', messageId: 7 });
      expect(await back.next()).toMatchObject({ cmd: 'pubcomp', messageId: 7 });
      back.send(publish(7, 'next', false));
      expect(await back.next()).toMatchObject({ cmd: 'pubrec', messageId: 7 });
      back.send({ cmd: 'pubrel', messageId: 7 });
      expect(await back.next()).toMatchObject({ cmd: 'pubcomp', messageId: 7 });
    } finally {
      back.end();
    }
    const [end] = await admin.listOffsets('readings', 'latest');
    const stored = (await readAll(cluster.bootstrap, 'readings', new Map([[0, end!.highWatermark]]), 30_000)).get(0)!;
    expect(stored.filter((r) => r.offset >= before!.highWatermark).map((r) => r.value)).toEqual(['once', 'next']);
  }, 60_000);
});
