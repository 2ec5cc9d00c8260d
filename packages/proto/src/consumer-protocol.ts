/**
 * Kafka's ConsumerProtocol: how consumers encode their subscription (JoinGroup
 * metadata) and their assignment (SyncGroup) under protocol type "consumer".
 * Gregor's SDK speaks it too, so Kafka clients and Gregor consumers describe
 * alike and the broker can show who owns what. Big-endian, int16-length
 * strings, int32-count arrays, int32-length nullable bytes; no tagged fields.
 */

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface TopicPartitionList {
  topic: string;
  partitions: number[];
}

export interface ConsumerSubscription {
  topics: string[];
  userData: Buffer | null;
  /** Partitions the member owns now (version 1+), which cooperative assignors keep in place. */
  ownedPartitions: TopicPartitionList[];
  /** The generation those partitions were owned in (version 2+), -1 when unknown. */
  generation: number;
  rackId: string | null;
}

export interface ConsumerAssignment {
  partitions: TopicPartitionList[];
  userData: Buffer | null;
}

export class ConsumerProtocolError extends Error {
  readonly code = 'INVALID_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'ConsumerProtocolError';
  }
}

class Writer {
  private readonly parts: Buffer[] = [];

  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.parts.push(b);
    return this;
  }

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.parts.push(b);
    return this;
  }

  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  bytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    this.int32(value.length);
    this.parts.push(value);
    return this;
  }

  array<T>(items: readonly T[], write: (item: T) => void): this {
    this.int32(items.length);
    for (const item of items) write(item);
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get atEnd(): boolean {
    return this.offset >= this.buffer.length;
  }

  private need(n: number): void {
    if (this.offset + n > this.buffer.length) throw new ConsumerProtocolError(`consumer protocol data ends early (${this.buffer.length} bytes)`);
  }

  int16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    this.need(length);
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  requiredString(): string {
    const value = this.string();
    if (value === null) throw new ConsumerProtocolError('null where consumer protocol data needs a string');
    return value;
  }

  bytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) return null;
    this.need(length);
    const value = Buffer.from(this.buffer.subarray(this.offset, this.offset + length));
    this.offset += length;
    return value;
  }

  array<T>(read: () => T): T[] {
    const count = this.int32();
    // Every array of the ConsumerProtocol is non-nullable; Kafka refuses a null one too.
    if (count < 0) throw new ConsumerProtocolError(`consumer protocol array of ${count} entries`);
    // Each element takes at least one byte, so a count beyond the bytes left is malformed.
    if (count > this.buffer.length - this.offset) throw new ConsumerProtocolError(`consumer protocol array of ${count} in ${this.buffer.length} bytes`);
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(read());
    return items;
  }
}

function writePartitions(writer: Writer, lists: readonly TopicPartitionList[]): void {
  writer.array(lists, (tp) => writer.string(tp.topic).array(tp.partitions, (p) => writer.int32(p)));
}

function readPartitions(reader: Reader): TopicPartitionList[] {
  return reader.array(() => ({ topic: reader.requiredString(), partitions: reader.array(() => reader.int32()) }));
}

function version(reader: Reader): number {
  const v = reader.int16();
  if (v < 0) throw new ConsumerProtocolError(`consumer protocol version ${v}`);
  return v;
}

/** Version 1 (topics, user data, owned partitions): what kafkajs and the Java client's cooperative assignor read. */
export function encodeSubscription(subscription: Pick<ConsumerSubscription, 'topics'> & Partial<ConsumerSubscription>): Buffer {
  const writer = new Writer().int16(1);
  writer.array(subscription.topics, (t) => writer.string(t));
  writer.bytes(subscription.userData ?? null);
  writePartitions(writer, subscription.ownedPartitions ?? []);
  return writer.done();
}

/** Any version: fields of versions newer than 3 are ignored, as Kafka does. */
export function decodeSubscription(bytes: Buffer): ConsumerSubscription {
  const reader = new Reader(bytes);
  const v = version(reader);
  const topics = reader.array(() => reader.requiredString());
  const userData = reader.bytes();
  const ownedPartitions = v >= 1 && !reader.atEnd ? readPartitions(reader) : [];
  const generation = v >= 2 && !reader.atEnd ? reader.int32() : -1;
  const rackId = v >= 3 && !reader.atEnd ? reader.string() : null;
  return { topics, userData, ownedPartitions, generation, rackId };
}

export function encodeAssignment(assignment: Pick<ConsumerAssignment, 'partitions'> & Partial<ConsumerAssignment>): Buffer {
  const writer = new Writer().int16(1);
  writePartitions(writer, assignment.partitions);
  writer.bytes(assignment.userData ?? null);
  return writer.done();
}

/** An empty buffer is an empty assignment (what Kafka's coordinator gives a member the leader left out). */
export function decodeAssignment(bytes: Buffer): ConsumerAssignment {
  if (bytes.length === 0) return { partitions: [], userData: null };
  const reader = new Reader(bytes);
  version(reader);
  const partitions = readPartitions(reader);
  const userData = reader.atEnd ? null : reader.bytes();
  return { partitions, userData };
}
