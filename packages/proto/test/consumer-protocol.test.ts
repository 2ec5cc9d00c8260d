import fc from 'fast-check';
import {
  ConsumerProtocolError,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type TopicPartitionList,
} from '../src/consumer-protocol';
// Not testkit's index: that loads the client and the gRPC definitions, which a codec test has no need of.
import { testSeed } from '@gregor/testkit';

/**
 * A reference encoder written from Kafka's ConsumerProtocolSubscription.json and
 * ConsumerProtocolAssignment.json, independent of the codec under test: big-endian int16/int32,
 * int16-length strings (-1 for null), int32-length bytes (-1 for null), int32-count arrays.
 */
const wire = {
  int16(value: number): Buffer {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return b;
  },
  int32(value: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return b;
  },
  string(value: string | null): Buffer {
    if (value === null) return wire.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([wire.int16(bytes.length), bytes]);
  },
  bytes(value: Buffer | null): Buffer {
    return value === null ? wire.int32(-1) : Buffer.concat([wire.int32(value.length), value]);
  },
  array<T>(items: readonly T[], write: (item: T) => Buffer): Buffer {
    return Buffer.concat([wire.int32(items.length), ...items.map(write)]);
  },
  partitions(lists: readonly TopicPartitionList[]): Buffer {
    return wire.array(lists, (tp) => Buffer.concat([wire.string(tp.topic), wire.array(tp.partitions, wire.int32)]));
  },
};

const topics = ['orders', 'payments', 'ünïcode-☃'];
const userData = Buffer.from([1, 2, 3]);
const owned: TopicPartitionList[] = [
  { topic: 'orders', partitions: [0, 2] },
  { topic: 'payments', partitions: [] },
];

/** Version `version` of a subscription, field by field, and the byte offsets at which its optional tail may end. */
function subscriptionBytes(version: number): { bytes: Buffer; boundaries: number[] } {
  const fields = [wire.int16(version), wire.array(topics, wire.string), wire.bytes(userData)];
  if (version >= 1) fields.push(wire.partitions(owned));
  if (version >= 2) fields.push(wire.int32(7));
  if (version >= 3) fields.push(wire.string('rack-a'));
  const boundaries: number[] = [];
  let length = 0;
  fields.forEach((field, i) => {
    length += field.length;
    if (i >= 2) boundaries.push(length);
  });
  return { bytes: Buffer.concat(fields), boundaries };
}

function expectProtocolError(decode: () => unknown): void {
  expect(decode).toThrow(ConsumerProtocolError);
}

const topicName = fc.string({ unit: 'grapheme', maxLength: 20 });
const partitionLists = fc.array(fc.record({ topic: topicName, partitions: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 8 }) }), { maxLength: 6 });
const nullableBytes = fc.option(fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a)), { nil: null });

describe('ConsumerProtocol subscription', () => {
  it('round-trips topics, user data and owned partitions; the encoder writes version 1, so generation and rack are unknown', () => {
    fc.assert(
      fc.property(fc.array(topicName, { maxLength: 10 }), nullableBytes, partitionLists, (topicList, data, ownedPartitions) => {
        const decoded = decodeSubscription(encodeSubscription({ topics: topicList, userData: data, ownedPartitions }));
        expect(decoded).toEqual({ topics: topicList, userData: data, ownedPartitions, generation: -1, rackId: null });
      }),
      { seed: testSeed('subscription round trip'), numRuns: 300 },
    );
  });

  it('writes exactly the bytes of a version 1 subscription', () => {
    const expected = Buffer.concat([wire.int16(1), wire.array(topics, wire.string), wire.bytes(userData), wire.partitions(owned)]);
    expect(encodeSubscription({ topics, userData, ownedPartitions: owned }).equals(expected)).toBe(true);
  });

  it.each([
    [0, { ownedPartitions: [], generation: -1, rackId: null }],
    [1, { ownedPartitions: owned, generation: -1, rackId: null }],
    [2, { ownedPartitions: owned, generation: 7, rackId: null }],
    [3, { ownedPartitions: owned, generation: 7, rackId: 'rack-a' }],
  ])('decodes version %i as Kafka lays it out', (version, tail) => {
    expect(decodeSubscription(subscriptionBytes(version).bytes)).toEqual({ topics, userData, ...tail });
  });

  it('reads a newer version by the fields it knows and ignores what follows them, as Kafka does', () => {
    const v4 = Buffer.concat([wire.int16(4), subscriptionBytes(3).bytes.subarray(2), wire.int32(99)]);
    expect(decodeSubscription(v4)).toEqual({ topics, userData, ownedPartitions: owned, generation: 7, rackId: 'rack-a' });
  });

  it('accepts a version 1 subscription that stops after its user data (what kafkajs sends)', () => {
    const kafkajs = Buffer.concat([wire.int16(1), wire.array(['orders'], wire.string), wire.bytes(null)]);
    expect(decodeSubscription(kafkajs)).toEqual({ topics: ['orders'], userData: null, ownedPartitions: [], generation: -1, rackId: null });
  });

  it('refuses every cut of a version 3 subscription that does not end on a field of its optional tail', () => {
    const { bytes, boundaries } = subscriptionBytes(3);
    for (let length = 0; length < bytes.length; length++) {
      const prefix = bytes.subarray(0, length);
      if (boundaries.includes(length)) expect(decodeSubscription(prefix).topics).toEqual(topics);
      else expectProtocolError(() => decodeSubscription(prefix));
    }
  });

  it('refuses negative versions, null topics and null arrays', () => {
    expectProtocolError(() => decodeSubscription(Buffer.concat([wire.int16(-1), wire.array([], wire.string), wire.bytes(null)])));
    expectProtocolError(() => decodeSubscription(Buffer.concat([wire.int16(0), wire.array([null], wire.string), wire.bytes(null)])));
    expectProtocolError(() => decodeSubscription(Buffer.concat([wire.int16(0), wire.int32(-1), wire.bytes(null)])));
    expectProtocolError(() => decodeSubscription(Buffer.concat([wire.int16(1), wire.array([], wire.string), wire.bytes(null), wire.int32(-1)])));
  });

  it('refuses a count larger than the data at once, without allocating for it', () => {
    const started = Date.now();
    expectProtocolError(() => decodeSubscription(Buffer.concat([wire.int16(0), wire.int32(2 ** 31 - 1)])));
    expectProtocolError(() => decodeSubscription(Buffer.concat([wire.int16(0), wire.array([], wire.string), wire.int32(2 ** 31 - 1)])));
    expectProtocolError(() => decodeSubscription(Buffer.concat([wire.int16(1), wire.array([], wire.string), wire.bytes(null), wire.int32(1), wire.string('t'), wire.int32(2 ** 31 - 1)])));
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('ConsumerProtocol assignment', () => {
  it('round-trips partitions and user data', () => {
    fc.assert(
      fc.property(partitionLists, nullableBytes, (partitions, data) => {
        expect(decodeAssignment(encodeAssignment({ partitions, userData: data }))).toEqual({ partitions, userData: data });
      }),
      { seed: testSeed('assignment round trip'), numRuns: 300 },
    );
  });

  it.each([0, 1, 2, 3])('decodes version %i as Kafka lays it out', (version) => {
    const bytes = Buffer.concat([wire.int16(version), wire.partitions(owned), wire.bytes(userData)]);
    expect(decodeAssignment(bytes)).toEqual({ partitions: owned, userData });
  });

  it('reads an empty buffer as an empty assignment, and one without user data as null user data', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ partitions: [], userData: null });
    expect(decodeAssignment(Buffer.concat([wire.int16(0), wire.partitions(owned)]))).toEqual({ partitions: owned, userData: null });
  });

  it('refuses every cut of an assignment inside its fields', () => {
    const bytes = Buffer.concat([wire.int16(1), wire.partitions(owned), wire.bytes(userData)]);
    const withoutUserData = bytes.length - wire.bytes(userData).length;
    for (let length = 1; length < bytes.length; length++) {
      if (length !== withoutUserData) expectProtocolError(() => decodeAssignment(bytes.subarray(0, length)));
    }
  });
});

describe('ConsumerProtocol on garbage', () => {
  it('either decodes or throws ConsumerProtocolError, never anything else', () => {
    const outcome = (decode: () => unknown): void => {
      try {
        decode();
      } catch (err) {
        expect(err).toBeInstanceOf(ConsumerProtocolError);
      }
    };
    const valid = Buffer.concat([subscriptionBytes(3).bytes, wire.partitions(owned)]);
    // Random bytes mostly fail on the first count; edits of a valid encoding reach the later fields.
    const edited = fc
      .tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(valid.length))
      .map(([edits, length]) => {
        const bytes = Buffer.from(valid);
        for (const [at, value] of edits) bytes[at] = value;
        return bytes.subarray(0, length);
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), edited), (bytes) => {
        outcome(() => decodeSubscription(bytes));
        outcome(() => decodeAssignment(bytes));
      }),
      { seed: testSeed('consumer protocol garbage'), numRuns: 2000 },
    );
  });
});
