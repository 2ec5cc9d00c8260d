import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { Admin, Consumer } from '@gregor/client';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { connectRaw, rawMqtt } from './raw-mqtt';

const CLI = path.resolve(__dirname, '../../cli/dist/main.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `gregor mqtt map add|list|remove` against a broker process: mappings added at run time reach the
 * MQTT listener without a restart, outlive one, and bad input changes nothing.
 */
describe('gregor mqtt map', () => {
  let broker: BrokerProcess;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startBroker({ mqtt: true, config: { 'mqtt-map': 'fixed/# -> fixed' } });
    admin = new Admin({ brokers: [broker.address] });
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await broker?.cleanup();
  });

  function gregor(...args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, '-b', broker.address, ...args], (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  /** The PUBACK reason code of one MQTT 5 QoS 1 publish to `topic` (0 stored, 0x90 unmapped). */
  async function publishReason(topic: string, payload: string): Promise<number> {
    const raw = await rawMqtt(broker.mqttPort, 5);
    try {
      await connectRaw(raw, `map-test-${Math.random()}`, 5);
      raw.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, messageId: 1, dup: false, retain: false });
      const ack = await raw.next(15_000);
      if (ack.cmd !== 'puback') throw new Error(`expected a PUBACK, got ${ack.cmd}`);
      return ack.reasonCode ?? 0;
    } finally {
      raw.end();
    }
  }

  async function recordsOf(topic: string, count: number): Promise<Array<{ key: string | null; value: string }>> {
    const consumer = new Consumer({ brokers: [broker.address], autoOffsetReset: 'earliest' });
    try {
      await consumer.assign([{ topic, partition: 0 }]);
      const got: Array<{ key: string | null; value: string }> = [];
      for await (const batch of consumer.batches()) {
        for (const r of batch) got.push({ key: r.key?.toString() ?? null, value: r.value?.toString() ?? '' });
        if (got.length >= count) return got;
      }
      return got;
    } finally {
      await consumer.close();
    }
  }

  it('refuses a malformed mapping and one to a topic that does not exist, adding nothing', async () => {
    const malformed = await gregor('mqtt', 'map', 'add', 'dev/+id/state devices');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('expected "filter -> topic[, key = level]"');
    const badKey = await gregor('mqtt', 'map', 'add', 'dev/+id/state -> devices, key = room');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('key "room" names no "+room" level');
    const missing = await gregor('mqtt', 'map', 'add', 'dev/+id/state -> devices, key = id');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('log topic devices does not exist');
    const listed = await gregor('mqtt', 'map', 'list', '--output', 'json');
    expect(listed).toMatchObject({ code: 0, stdout: '' });
  });

  it('adds a mapping the listener applies at once, lists it, and removes it', async () => {
    await admin.createTopic('devices', { partitions: 1, replicationFactor: 1 });
    expect(await publishReason('dev/lamp/state', 'early')).toBe(0x90);
    const added = await gregor('mqtt', 'map', 'add', 'dev/+id/state -> devices, key = id');
    expect(added).toMatchObject({ code: 0, stdout: 'mapped dev/+id/state -> devices, key = id\n' });
    await waitFor(async () => (await publishReason('dev/lamp/state', 'on')) === 0, 15_000, 'the listener to apply the added mapping');
    expect(await recordsOf('devices', 1)).toEqual([{ key: 'lamp', value: 'on' }]);

    const listed = await gregor('mqtt', 'map', 'list', '--output', 'json');
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { mapping: 'dev/+id/state -> devices, key = id', filter: 'dev/+/state', topic: 'devices', key: 'id' },
    ]);

    const removed = await gregor('mqtt', 'map', 'remove', 'dev/+/state');
    expect(removed).toMatchObject({ code: 0, stdout: 'removed dev/+id/state -> devices, key = id\n' });
    await waitFor(async () => (await publishReason('dev/lamp/state', 'off')) === 0x90, 15_000, 'the listener to drop the removed mapping');
    const again = await gregor('mqtt', 'map', 'remove', 'dev/+id/state');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no mapping of dev/+/state was added');
    // A broker's own --mqtt-map is not the CLI's to remove.
    expect((await gregor('mqtt', 'map', 'remove', 'fixed/#')).code).toBe(1);
    expect(await recordsOf('devices', 1)).toEqual([{ key: 'lamp', value: 'on' }]);
  });

  it('keeps added mappings across a restart: the first CONNECT after it publishes through them', async () => {
    await admin.createTopic('meters', { partitions: 1, replicationFactor: 1 });
    expect((await gregor('mqtt', 'map', 'add', 'meter/+id -> meters, key = id')).code).toBe(0);
    await waitFor(async () => (await publishReason('meter/m1', 'before')) === 0, 15_000, 'the mapping applied');
    await broker.restart();
    expect(await publishReason('meter/m2', 'after')).toBe(0);
    expect(await recordsOf('meters', 2)).toEqual([
      { key: 'm1', value: 'before' },
      { key: 'm2', value: 'after' },
    ]);
  });
});
