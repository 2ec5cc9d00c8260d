import { Admin, Consumer } from '@gregor/client';
import { BrokerProcess, startBroker } from '@gregor/testkit';
import { ErrorCode } from '../src';
import { splitHostPort } from '../src/listener-address';
import type { VersionedReader } from '../src/versioned';
import { RawClient, batchOf, call, connect, produce } from './raw-client';

const PRODUCE = 0;
const FETCH = 1;
const LIST_OFFSETS = 2;
const METADATA = 3;

interface FetchedPartition {
  errorCode: number;
  highWatermark: bigint;
  records: Buffer | null;
}

/** From v13 a fetch names the topic by id: `topicId` then. */
async function fetch(client: RawClient, version: number, topic: string, offset: number, maxWaitMs = 0, minBytes = 1, topicId: Buffer = Buffer.alloc(16)): Promise<FetchedPartition> {
  const r = await call(client, FETCH, version, (w) => {
    w.int32(-1).int32(maxWaitMs).int32(minBytes).int32(1 << 20).int8(0);
    if (version >= 7) w.int32(0).int32(-1);
    w.array([topic], (t) => {
      if (version >= 13) t.uuid(topicId);
      else t.string(topic);
      t.array([0], (p) => {
        p.int32(0);
        if (version >= 9) p.int32(-1);
        p.int64(offset);
        if (version >= 12) p.int32(-1);
        if (version >= 5) p.int64(-1);
        p.int32(1 << 20).tags();
      });
      t.tags();
    });
    if (version >= 7) w.array([], () => undefined);
    if (version >= 11) w.string('');
    w.tags();
  });
  r.int32();
  if (version >= 7) {
    expect(r.int16()).toBe(0);
    r.int32();
  }
  return r.array((t) => {
    if (version >= 13) t.uuid();
    else t.string();
    return t.array((p): FetchedPartition => {
      p.int32();
      const errorCode = p.int16();
      const highWatermark = p.int64();
      p.int64();
      if (version >= 5) p.int64();
      p.nullableArray((a) => [a.int64(), a.int64(), a.tags()]);
      if (version >= 11) p.int32();
      const records = p.nullableBytes();
      p.tags();
      return { errorCode, highWatermark, records };
    })[0];
  })[0];
}

/** The topic's Kafka id, from Metadata v12. */
async function topicIdOf(client: RawClient, topic: string): Promise<Buffer> {
  const r = await call(client, METADATA, 12, (w) => {
    w.array([topic], (t) => t.uuid(Buffer.alloc(16)).nullableString(topic).tags());
    w.boolean(false).boolean(false).tags();
  });
  r.int32();
  r.array((b) => [b.int32(), b.string(), b.int32(), b.nullableString(), b.tags()]);
  r.nullableString();
  r.int32();
  return r.array((t) => {
    t.int16();
    t.nullableString();
    const id = t.uuid();
    t.boolean();
    t.array((p) => [p.int16(), p.int32(), p.int32(), p.int32(), p.array((n) => n.int32()), p.array((n) => n.int32()), p.array((n) => n.int32()), p.tags()]);
    t.int32();
    t.tags();
    return id;
  })[0];
}

function listOffset(client: RawClient, version: number, topic: string, timestamp: number): Promise<{ errorCode: number; offset: bigint; timestamp: bigint }> {
  return call(client, LIST_OFFSETS, version, (w) => {
    w.int32(-1);
    if (version >= 2) w.int8(0);
    w.array([topic], (t) => t.string(topic).array([0], (p) => {
      p.int32(0);
      if (version >= 4) p.int32(-1);
      p.int64(timestamp).tags();
    }).tags());
    w.tags();
  }).then((r: VersionedReader) => {
    if (version >= 2) r.int32();
    return r.array((t) => {
      t.string();
      return t.array((p) => {
        p.int32();
        const errorCode = p.int16();
        const timestamp = p.int64();
        const offset = p.int64();
        if (version >= 4) p.int32();
        p.tags();
        return { errorCode, offset, timestamp };
      })[0];
    })[0];
  });
}

/** The Kafka listener spoken to byte by byte: every version of each API, and what bad input gets. */
describe('Kafka protocol against a broker process', () => {
  let broker: BrokerProcess;
  let admin: Admin;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startBroker({ kafka: true });
    admin = new Admin({ brokers: [broker.address] });
    for (const topic of ['raw', 'bad', 'poll', 'configured', 'timed']) await admin.createTopic(topic, { partitions: 1, replicationFactor: 1 });
    client = await connect(splitHostPort(broker.kafkaAddress).port);
  }, 60_000);

  afterAll(async () => {
    client?.end();
    admin?.close();
    await broker?.cleanup();
  });

  it('answers Metadata at every version 0-12 with the broker, the topic and its leader', async () => {
    for (let version = 0; version <= 12; version++) {
      const r = await call(client, METADATA, version, (w) => {
        if (version >= 10) w.array(['raw'], (t) => t.uuid(Buffer.alloc(16)).nullableString('raw').tags());
        else w.array(['raw'], (t) => t.string('raw').tags());
        if (version >= 4) w.boolean(false);
        if (version >= 8 && version <= 10) w.boolean(false);
        if (version >= 8) w.boolean(false);
        w.tags();
      });
      if (version >= 3) r.int32();
      const brokers = r.array((b) => {
        const broker = { id: b.int32(), host: b.string(), port: b.int32() };
        if (version >= 1) b.nullableString();
        b.tags();
        return broker;
      });
      expect(brokers).toEqual([{ id: 1, ...splitHostPort(broker.kafkaAddress) }]);
      if (version >= 2) expect(r.nullableString()).toMatch(/./);
      if (version >= 1) expect(r.int32()).toBe(1);
      const [topic] = r.array((t) => {
        const errorCode = t.int16();
        const name = version >= 12 ? t.nullableString() : t.string();
        if (version >= 10) t.uuid();
        if (version >= 1) t.boolean();
        const leaders = t.array((p) => {
          p.int16();
          p.int32();
          const leader = p.int32();
          if (version >= 7) p.int32();
          p.array((n) => n.int32());
          p.array((n) => n.int32());
          if (version >= 5) p.array((n) => n.int32());
          p.tags();
          return leader;
        });
        if (version >= 8) t.int32();
        t.tags();
        return { errorCode, name, leaders };
      });
      expect(topic).toEqual({ errorCode: 0, name: 'raw', leaders: [1] });
    }
  });

  it('appends a client batch at every Produce version 3-9 and fetches it back at every Fetch version 4-13', async () => {
    const offsets: bigint[] = [];
    for (let version = 3; version <= 9; version++) {
      const answer = await produce(client, version, 'raw', batchOf([`v${version}-a`, `v${version}-b`]));
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      offsets.push(answer.baseOffset);
    }
    expect(offsets).toEqual([0n, 2n, 4n, 6n, 8n, 10n, 12n]);
    const topicId = await topicIdOf(client, 'raw');
    for (let version = 4; version <= 13; version++) {
      const fetched = await fetch(client, version, 'raw', 4, 0, 1, topicId);
      expect(fetched.errorCode).toBe(ErrorCode.NONE);
      expect(fetched.highWatermark).toBe(14n);
      // Whole stored batches: the one holding offset 4 first.
      expect(fetched.records!.readBigInt64BE(0)).toBe(4n);
    }
  });

  it('answers ListOffsets earliest, latest and by timestamp at versions 1-7', async () => {
    const before = Date.now() - 60_000;
    const consumer = new Consumer({ brokers: [broker.address], autoOffsetReset: 'earliest' });
    await consumer.assignTopic('raw');
    let firstTimestamp = 0;
    for await (const record of consumer) {
      firstTimestamp = record.timestamp;
      break;
    }
    await consumer.close();
    for (let version = 1; version <= 7; version++) {
      expect(await listOffset(client, version, 'raw', -2)).toEqual({ errorCode: 0, offset: 0n, timestamp: -1n });
      expect(await listOffset(client, version, 'raw', -1)).toEqual({ errorCode: 0, offset: 14n, timestamp: -1n });
      // By time: the first record at or after it, with that record's own timestamp.
      expect(await listOffset(client, version, 'raw', before)).toEqual({ errorCode: 0, offset: 0n, timestamp: BigInt(firstTimestamp) });
      expect(await listOffset(client, version, 'raw', Date.now() + 3_600_000)).toEqual({ errorCode: 0, offset: -1n, timestamp: -1n });
    }
  });

  it('answers ListOffsets v7 max-timestamp with the first record of the largest timestamp, and refuses it before v7', async () => {
    for (const [values, timestamp] of [[['a', 'b'], 5000], [['c', 'd'], 9000], [['e'], 7000]] as const) {
      expect((await produce(client, 9, 'timed', batchOf([...values], timestamp))).errorCode).toBe(ErrorCode.NONE);
    }
    expect(await listOffset(client, 7, 'timed', -3)).toEqual({ errorCode: 0, offset: 2n, timestamp: 9000n });
    expect((await listOffset(client, 6, 'timed', -3)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('refuses a batch with a wrong CRC, magic 1, or Produce v2, and stores nothing of them', async () => {
    const corrupt = batchOf(['good?']);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect((await produce(client, 9, 'bad', corrupt)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const oldMagic = batchOf(['old']);
    oldMagic[16] = 1;
    expect((await produce(client, 9, 'bad', oldMagic)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect((await produce(client, 2, 'bad', batchOf(['v2']))).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await produce(client, 9, 'bad', batchOf(['x']).subarray(0, 30))).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect((await produce(client, 9, 'no-such-topic', batchOf(['x']))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await produce(client, 9, '__consumer_offsets', batchOf(['x']))).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect((await produce(client, 9, 'bad', batchOf(['x']), 2)).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(await listOffset(client, 6, 'bad', -1)).toEqual({ errorCode: 0, offset: 0n, timestamp: -1n });
    expect((await produce(client, 9, 'bad', batchOf(['after']))).baseOffset).toBe(0n);
  });

  it('sends no answer to acks=0, and the next request is answered in order', async () => {
    const answerless = call(client, PRODUCE, 9, (w) => {
      w.nullableString(null).int16(0).int32(1000);
      w.array(['bad'], (t) => t.string('bad').array([0], (p) => p.int32(0).nullableBytes(batchOf(['fire and forget'])).tags()).tags());
      w.tags();
    });
    const next = await listOffset(client, 6, 'bad', -1);
    expect(next).toEqual({ errorCode: 0, offset: 2n, timestamp: -1n });
    void answerless.catch(() => undefined);
  });

  it('long-polls a fetch at the end until a record arrives, and answers OFFSET_OUT_OF_RANGE past the end', async () => {
    const waiting = fetch(client, 11, 'poll', 0, 10_000);
    const other = await connect(splitHostPort(broker.kafkaAddress).port);
    const started = Date.now();
    await produce(other, 9, 'poll', batchOf(['wake up']));
    const fetched = await waiting;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(fetched.highWatermark).toBe(1n);
    expect(fetched.records!.length).toBeGreaterThan(0);
    expect((await fetch(other, 11, 'poll', 5)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await fetch(other, 11, 'poll', 1, 50)).records!.length).toBe(0);
    other.end();
    const consumer = new Consumer({ brokers: [broker.address], autoOffsetReset: 'earliest' });
    await consumer.assignTopic('poll');
    for await (const record of consumer) {
      expect(record.value!.toString()).toBe('wake up');
      break;
    }
    await consumer.close();
  });

  it('IncrementalAlterConfigs sets and deletes the named configs, refuses append, and leaves a topic alone on any error', async () => {
    const INCREMENTAL_ALTER_CONFIGS = 44;
    const SET = 0;
    const DELETE = 1;
    const APPEND = 2;
    const alter = async (version: number, topic: string, configs: Array<[string, number, string | null]>): Promise<number> => {
      const r = await call(client, INCREMENTAL_ALTER_CONFIGS, version, (w) => {
        w.array([topic], (e) => {
          e.int8(2).string(topic);
          e.array(configs, (c, [name, operation, value]) => c.string(name).int8(operation).nullableString(value).tags());
          e.tags();
        });
        w.boolean(false).tags();
      });
      r.int32();
      const [errorCode] = r.array((e) => {
        const code = e.int16();
        e.nullableString();
        e.int8();
        e.string();
        e.tags();
        return code;
      });
      return errorCode;
    };
    expect(await alter(1, 'configured', [['retention.ms', SET, '60000'], ['segment.bytes', SET, '1048576']])).toBe(ErrorCode.NONE);
    expect(await alter(0, 'configured', [['segment.bytes', DELETE, null]])).toBe(ErrorCode.NONE);
    expect((await admin.describeTopic('configured')).configs).toMatchObject({ 'retention.ms': '60000', 'segment.bytes': String(1024 ** 3) });
    expect(await alter(1, 'configured', [['retention.ms', APPEND, '1']])).toBe(ErrorCode.INVALID_CONFIG);
    expect(await alter(1, 'configured', [['retention.ms', SET, 'soon']])).toBe(ErrorCode.INVALID_CONFIG);
    expect(await alter(1, 'no-such-topic', [['retention.ms', SET, '1']])).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await alter(1, '__consumer_offsets', [['retention.ms', SET, '1']])).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect((await admin.describeTopic('configured')).configs['retention.ms']).toBe('60000');
  });
});
