import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ConfigResourceTypes, Kafka, logLevel, Partitioners, type Consumer, type EachMessagePayload } from 'kafkajs';
import { Admin as GregorAdmin } from '@gregor/client';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';

const CLI = path.resolve(__dirname, '../../cli/dist/main.js');
const run = promisify(execFile);

/**
 * Group timings short enough that a rebalance takes about a second. kafkajs heartbeats between
 * fetches and lets a fetch finish before it leaves, so its fetches wait 0.5 s, not 5 s.
 */
const GROUP_TIMING = { sessionTimeout: 6000, rebalanceTimeout: 10000, heartbeatInterval: 300, maxWaitTimeInMs: 500 };

/**
 * kafkajs, a Kafka client nobody here wrote, against one broker process through its Kafka
 * listener: topic administration, plain and idempotent producers, group consumers that rebalance,
 * commit and resume; and the records it writes are the ones the gRPC API reads.
 */
describe('kafkajs against the Kafka listener', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startBroker({ kafka: true });
    kafka = new Kafka({ clientId: 'kafkajs-test', brokers: [broker.kafkaAddress], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await broker?.cleanup();
  });

  function producer(idempotent: boolean) {
    return kafka.producer({ idempotent, maxInFlightRequests: idempotent ? 1 : 5, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async function createTopic(topic: string, numPartitions: number): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions }] });
    } finally {
      await admin.disconnect();
    }
  }

  /** Sends `values` with acks=-1 through a fresh producer. */
  async function produce(topic: string, values: string[], idempotent = true): Promise<void> {
    const p = producer(idempotent);
    await p.connect();
    try {
      for (let i = 0; i < values.length; i += 100) {
        await p.send({ topic, acks: -1, messages: values.slice(i, i + 100).map((value, j) => ({ key: `k${(i + j) % 7}`, value })) });
      }
    } finally {
      await p.disconnect();
    }
  }

  /** A group consumer whose every message lands in `seen`, and whose current assignment is kept. */
  async function groupConsumer(groupId: string, topic: string, seen: string[]) {
    const consumer = kafka.consumer({ groupId, ...GROUP_TIMING });
    consumers.push(consumer);
    const state = { consumer, assigned: [] as number[] };
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      state.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }: EachMessagePayload) => void seen.push(message.value!.toString()) });
    return state;
  }

  it('creates, describes, reconfigures, grows and deletes topics; refuses a duplicate, a bad replication factor and an unknown config', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'admin-t', numPartitions: 4, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] })).toBe(true);
      const metadata = await admin.fetchTopicMetadata({ topics: ['admin-t'] });
      expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
      expect((await new GregorAdmin({ brokers: [broker.address] }).describeTopic('admin-t')).configs['retention.ms']).toBe('3600000');
      await expect(admin.createTopics({ topics: [{ topic: 'admin-t' }] })).resolves.toBe(false);
      await expect(admin.createTopics({ topics: [{ topic: 'too-many-replicas', replicationFactor: 3 }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' })],
      });
      await expect(admin.createTopics({ topics: [{ topic: '__mine' }] })).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_TOPIC_EXCEPTION' })] });
      const configsOf = async () => {
        const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-t' }] });
        return new Map(described.resources[0].configEntries.map((e) => [e.configName, { value: e.configValue, isDefault: e.isDefault }]));
      };
      expect((await configsOf()).get('retention.ms')).toEqual({ value: '3600000', isDefault: false });
      expect((await configsOf()).get('segment.bytes')?.isDefault).toBe(true);
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-t', configEntries: [{ name: 'retention.bytes', value: '1048576' }] }] });
      // AlterConfigs replaces: retention.ms, not given, is back to its default.
      expect((await configsOf()).get('retention.bytes')).toEqual({ value: '1048576', isDefault: false });
      expect((await configsOf()).get('retention.ms')?.isDefault).toBe(true);
      await expect(
        admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'admin-t', configEntries: [{ name: 'no.such.config', value: '1' }] }] }),
      ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
      expect((await configsOf()).get('retention.bytes')?.value).toBe('1048576');
      await admin.createPartitions({ topicPartitions: [{ topic: 'admin-t', count: 6 }] });
      expect((await admin.fetchTopicMetadata({ topics: ['admin-t'] })).topics[0].partitions).toHaveLength(6);
      await admin.deleteTopics({ topics: ['admin-t'] });
      expect(await admin.listTopics()).not.toContain('admin-t');
    } finally {
      await admin.disconnect();
    }
  });

  it.each([false, true])('produces with idempotence %s and a group consumer reads every record from earliest', async (idempotent) => {
    const topic = `produced-${idempotent ? 'idempotent' : 'plain'}`;
    await createTopic(topic, 3);
    const values = Array.from({ length: 600 }, (_, i) => `${topic}-${i}`);
    await produce(topic, values, idempotent);
    const seen: string[] = [];
    await groupConsumer(`${topic}-readers`, topic, seen);
    await waitFor(() => seen.length >= values.length, 30_000, `${values.length} records read`);
    expect([...seen].sort()).toEqual([...values].sort());
  });

  it('a group of three shares six partitions, and the two left take them all when one leaves', async () => {
    const topic = 'shared';
    await createTopic(topic, 6);
    const admin = kafka.admin();
    await admin.connect();
    const seen: string[] = [];
    const members: Array<Awaited<ReturnType<typeof groupConsumer>>> = [];
    for (let i = 0; i < 3; i++) members.push(await groupConsumer('sharers', topic, seen));
    const split = () => members.filter((m) => consumers.includes(m.consumer)).map((m) => m.assigned);
    await waitFor(() => {
      const owned = split().flat();
      return split().every((a) => a.length === 2) && new Set(owned).size === 6;
    }, 30_000, 'six partitions split 2/2/2');
    const described = await admin.describeGroups(['sharers']);
    expect(described.groups[0]).toMatchObject({ groupId: 'sharers', state: 'Stable', protocolType: 'consumer' });
    expect(described.groups[0].members).toHaveLength(3);

    const leaving = members[0].consumer;
    await leaving.disconnect();
    consumers.splice(consumers.indexOf(leaving), 1);
    await waitFor(() => {
      const owned = split().flat();
      return owned.length === 6 && new Set(owned).size === 6;
    }, 30_000, 'the two members left own all six partitions');
    expect((await admin.describeGroups(['sharers'])).groups[0].members).toHaveLength(2);
    await admin.disconnect();
  });

  it('commits what a group read, and the group resumes after it on a new consumer', async () => {
    const topic = 'resumed';
    await createTopic(topic, 2);
    const first = Array.from({ length: 50 }, (_, i) => `first-${i}`);
    await produce(topic, first);

    const seen: string[] = [];
    const reader = await groupConsumer('resumers', topic, seen);
    await waitFor(() => seen.length >= first.length, 30_000, 'the first records read');
    await reader.consumer.disconnect();
    consumers.splice(consumers.indexOf(reader.consumer), 1);
    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: 'resumers', topics: [topic] });
    expect(committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(first.length);

    const later = ['later-1', 'later-2', 'later-3'];
    await produce(topic, later);
    const resumed: string[] = [];
    await groupConsumer('resumers', topic, resumed);
    await waitFor(() => resumed.length >= later.length, 30_000, 'the later records read');
    expect(resumed.sort()).toEqual(later);

    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('resumers');
    await Promise.all(consumers.map((c) => c.disconnect()));
    consumers.length = 0;
    await admin.deleteGroups(['resumers']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('resumers');
    await admin.disconnect();
  });

  it('what kafkajs produces, gregor consume prints', async () => {
    const topic = 'to-cli';
    await createTopic(topic, 1);
    const values = Array.from({ length: 20 }, (_, i) => `to-cli-${i}-${'z'.repeat(i)}`);
    await produce(topic, values);
    const { stdout } = await run('node', [CLI, '-b', broker.address, 'consume', topic, '--from-beginning', '-n', String(values.length)]);
    expect(stdout.trimEnd().split('\n')).toEqual(values);
  });
});
