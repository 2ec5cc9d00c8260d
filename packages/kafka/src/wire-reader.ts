import { KafkaWireError } from './errors';

/** Tagged fields a reader did not know, by tag: kept so that nothing a client sent is silently mangled. */
export type TaggedFields = Map<number, Buffer>;

const MAX_UNSIGNED_VARINT_BYTES = 5;

/**
 * Reads Kafka protocol primitives from one request or response body. Every read checks the
 * bounds first: a hostile length can never make it read past the frame or allocate on trust.
 * Classic types (int16-prefixed strings, int32-prefixed arrays) and the flexible versions'
 * compact ones (unsigned-varint lengths, plus one) live side by side, as in the protocol.
 */
export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  int8(): number {
    return this.take(1).readInt8(0);
  }

  int16(): number {
    return this.take(2).readInt16BE(0);
  }

  uint16(): number {
    return this.take(2).readUInt16BE(0);
  }

  int32(): number {
    return this.take(4).readInt32BE(0);
  }

  uint32(): number {
    return this.take(4).readUInt32BE(0);
  }

  int64(): bigint {
    return this.take(8).readBigInt64BE(0);
  }

  float64(): number {
    return this.take(8).readDoubleBE(0);
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  uuid(): Buffer {
    return Buffer.from(this.take(16));
  }

  /** An unsigned varint of at most 32 bits. */
  unsignedVarint(): number {
    let value = 0;
    for (let i = 0; i < MAX_UNSIGNED_VARINT_BYTES; i++) {
      const byte = this.take(1)[0];
      if (i === MAX_UNSIGNED_VARINT_BYTES - 1 && byte > 0x0f) throw new KafkaWireError('INVALID_VALUE', 'unsigned varint longer than 32 bits');
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return value;
    }
    throw new KafkaWireError('INVALID_VALUE', 'unsigned varint longer than 5 bytes');
  }

  /** A zigzag varint of at most 32 bits. */
  varint(): number {
    const z = this.unsignedVarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new KafkaWireError('INVALID_VALUE', 'null where a string is required');
    return value;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw new KafkaWireError('INVALID_VALUE', `string length ${length}`);
    return this.take(length).toString('utf8');
  }

  compactString(): string {
    const value = this.compactNullableString();
    if (value === null) throw new KafkaWireError('INVALID_VALUE', 'null where a compact string is required');
    return value;
  }

  compactNullableString(): string | null {
    const length = this.compactLength();
    return length === -1 ? null : this.take(length).toString('utf8');
  }

  /** Bytes as a view of the frame: record batches are passed on without a copy. */
  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw new KafkaWireError('INVALID_VALUE', `bytes length ${length}`);
    return this.take(length);
  }

  bytes(): Buffer {
    const value = this.nullableBytes();
    if (value === null) throw new KafkaWireError('INVALID_VALUE', 'null where bytes are required');
    return value;
  }

  compactNullableBytes(): Buffer | null {
    const length = this.compactLength();
    return length === -1 ? null : this.take(length);
  }

  compactBytes(): Buffer {
    const value = this.compactNullableBytes();
    if (value === null) throw new KafkaWireError('INVALID_VALUE', 'null where compact bytes are required');
    return value;
  }

  nullableArray<T>(item: (reader: WireReader) => T): T[] | null {
    const count = this.int32();
    if (count === -1) return null;
    if (count < 0) throw new KafkaWireError('INVALID_VALUE', `array length ${count}`);
    return this.items(count, item);
  }

  array<T>(item: (reader: WireReader) => T): T[] {
    const value = this.nullableArray(item);
    if (value === null) throw new KafkaWireError('INVALID_VALUE', 'null where an array is required');
    return value;
  }

  compactNullableArray<T>(item: (reader: WireReader) => T): T[] | null {
    const count = this.compactLength();
    return count === -1 ? null : this.items(count, item);
  }

  compactArray<T>(item: (reader: WireReader) => T): T[] {
    const value = this.compactNullableArray(item);
    if (value === null) throw new KafkaWireError('INVALID_VALUE', 'null where a compact array is required');
    return value;
  }

  /** A flexible version's tagged-field section; tags must ascend, each at most once. */
  taggedFields(): TaggedFields {
    const fields: TaggedFields = new Map();
    const count = this.unsignedVarint();
    let previous = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.unsignedVarint();
      if (tag <= previous) throw new KafkaWireError('INVALID_VALUE', `tagged field ${tag} after ${previous}`);
      previous = tag;
      fields.set(tag, this.take(this.unsignedVarint()));
    }
    return fields;
  }

  /** The bytes left, as a view. */
  rest(): Buffer {
    return this.take(this.remaining);
  }

  private compactLength(): number {
    return this.unsignedVarint() - 1;
  }

  private items<T>(count: number, item: (reader: WireReader) => T): T[] {
    // Every item takes at least one byte: a count beyond the bytes left is a lie, refused before allocating.
    if (count > this.remaining) throw new KafkaWireError('TRUNCATED', `array of ${count} items in ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(item(this));
    return out;
  }

  private take(n: number): Buffer {
    if (n > this.remaining) throw new KafkaWireError('TRUNCATED', `${n} bytes wanted at offset ${this.pos}, ${this.remaining} left`);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }
}
