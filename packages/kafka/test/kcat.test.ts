import { Admin, Consumer, Producer } from '@gregor/client';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { kcat } from './kcat';

const LINES = Array.from({ length: 10_000 }, (_, i) => `line-${i}-${'x'.repeat(i % 50)}`);

/** Every record of a topic read with the SDK (over gRPC), as values. */
async function consumeAll(brokers: string[], topic: string, count: number): Promise<string[]> {
  const consumer = new Consumer({ brokers, autoOffsetReset: 'earliest' });
  try {
    await consumer.assignTopic(topic);
    const values: string[] = [];
    for await (const record of consumer) {
      values.push(record.value!.toString());
      if (values.length === count) break;
    }
    return values;
  } finally {
    await consumer.close();
  }
}

/**
 * Kafka clients nobody here wrote, against one broker process: kcat (librdkafka) lists the
 * cluster, produces and consumes through the Kafka listener, and what it wrote is what the gRPC
 * API reads, and the other way round.
 */
describe('kcat against the Kafka listener', () => {
  let broker: BrokerProcess;
  let admin: Admin;
  let kafka: string;

  beforeAll(async () => {
    broker = await startBroker({ kafka: true });
    kafka = broker.kafkaAddress;
    admin = new Admin({ brokers: [broker.address] });
    for (const topic of ['lines', 'from-grpc', 'compressed', 'grouped']) await admin.createTopic(topic, { partitions: 3, replicationFactor: 1 });
  }, 60_000);

  afterAll(async () => {
    admin?.close();
    await broker?.cleanup();
  });

  it('kcat -L lists the broker at its Kafka address and every partition with its leader', async () => {
    const listed = await waitFor(async () => {
      const result = await kcat(['-b', kafka, '-L', '-J']);
      const metadata = JSON.parse(result.stdout) as { brokers: Array<{ id: number; name: string }>; topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }> };
      const lines = metadata.topics.find((t) => t.topic === 'lines');
      return lines?.partitions.every((p) => p.leader === 1) ? metadata : null;
    }, 30_000, 'kcat -L listing topic lines with leaders');
    expect(listed.brokers).toEqual([{ id: 1, name: kafka }]);
    expect(listed.topics.find((t) => t.topic === 'lines')!.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(listed.topics.some((t) => t.topic.startsWith('__'))).toBe(false);
  });

  it('kcat -P writes 10,000 lines that kcat -C -o beginning -e reads back byte for byte, in offset order per partition', async () => {
    const produced = await kcat(['-b', kafka, '-P', '-t', 'lines', '-X', 'acks=all'], LINES.join('\n') + '\n');
    expect(produced.code).toBe(0);
    const consumed = await kcat(['-b', kafka, '-C', '-t', 'lines', '-o', 'beginning', '-e', '-q', '-f', '%p %o %s\n']);
    expect(consumed.code).toBe(0);
    const rows = consumed.stdout.trimEnd().split('\n').map((row) => {
      const [partition, offset, ...value] = row.split(' ');
      return { partition: Number(partition), offset: Number(offset), value: value.join(' ') };
    });
    expect(rows.map((r) => r.value).sort()).toEqual([...LINES].sort());
    for (const partition of [0, 1, 2]) {
      const offsets = rows.filter((r) => r.partition === partition).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    // The gRPC API reads the same records.
    expect((await consumeAll([broker.address], 'lines', LINES.length)).sort()).toEqual([...LINES].sort());
  });

  it('kcat reads what the SDK produced over gRPC', async () => {
    const producer = new Producer({ brokers: [broker.address] });
    const values = Array.from({ length: 2000 }, (_, i) => `grpc-${i}`);
    await Promise.all(values.map((value, i) => producer.send('from-grpc', { key: `k${i}`, value })));
    await producer.close();
    const consumed = await kcat(['-b', kafka, '-C', '-t', 'from-grpc', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
    expect(consumed.stdout.trimEnd().split('\n').sort()).toEqual(values.map((v, i) => `k${i}=${v}`).sort());
  });

  it('stores batches kcat compressed with gzip, snappy, lz4 and zstd as they came, and serves them to both APIs', async () => {
    const expected: string[] = [];
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      const lines = Array.from({ length: 500 }, (_, i) => `${codec}-${i}-${'y'.repeat(100)}`);
      expected.push(...lines);
      // librdkafka says what it sent (-d msg): the batch left compressed.
      const produced = await kcat(['-b', kafka, '-P', '-t', 'compressed', '-z', codec, '-d', 'msg'], lines.join('\n') + '\n');
      expect(produced.stderr).not.toMatch(/not compressing/);
      expect(produced.stderr).toMatch(new RegExp(`Produce MessageSet with \\d+ message\\(s\\) .*${codec}`));
    }
    const consumed = await kcat(['-b', kafka, '-C', '-t', 'compressed', '-o', 'beginning', '-e', '-q']);
    expect(consumed.stdout.trimEnd().split('\n').sort()).toEqual([...expected].sort());
    expect((await consumeAll([broker.address], 'compressed', expected.length)).sort()).toEqual([...expected].sort());
  });

  it('a kcat -G group consumer reads every partition, commits, and resumes where it stopped', async () => {
    const first = LINES.slice(0, 3000);
    expect((await kcat(['-b', kafka, '-P', '-t', 'grouped'], first.join('\n') + '\n')).code).toBe(0);
    // Not -o beginning, which kcat applies to every assignment over the committed offsets.
    const group = ['-b', kafka, '-G', 'kcat-group', 'grouped', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%s\n'];
    const read = await kcat(group);
    expect(read.code).toBe(0);
    expect(read.stdout.trimEnd().split('\n').sort()).toEqual([...first].sort());

    const committed = await admin.fetchOffsets('kcat-group', 'grouped');
    const ends = await admin.listOffsets('grouped', 'latest');
    // librdkafka commits the partitions it read something from.
    const written = ends.filter((e) => e.highWatermark > 0);
    expect(committed.map((c) => [c.partition, c.offset]).sort()).toEqual(written.map((e) => [e.partition, e.highWatermark]).sort());
    const described = await admin.describeGroups(['kcat-group']);
    expect(described[0]).toMatchObject({ state: 'Empty', protocolType: 'consumer' });

    const more = ['after-1', 'after-2', 'after-3'];
    await kcat(['-b', kafka, '-P', '-t', 'grouped'], more.join('\n') + '\n');
    const resumed = await kcat(group);
    expect(resumed.stdout.trimEnd().split('\n').sort()).toEqual(more);
  });

  it('a topic that does not exist is an error for kcat, and the broker serves on', async () => {
    const produced = await kcat(['-b', kafka, '-P', '-t', 'no-such-topic', '-X', 'message.timeout.ms=3000'], 'lost?\n');
    expect(produced.stderr).toMatch(/Unknown topic|UNKNOWN_TOPIC|not available|timed out/i);
    const listed = await kcat(['-b', kafka, '-L', '-t', 'lines']);
    expect(listed.stdout).toContain('topic "lines" with 3 partitions');
  });
});
