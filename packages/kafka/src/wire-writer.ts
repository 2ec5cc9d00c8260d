import { KafkaWireError } from './errors';
import type { TaggedFields } from './wire-reader';

const INITIAL_BYTES = 256;

/**
 * Writes Kafka protocol primitives into a buffer that grows as needed. Large byte fields (record
 * batches read from segment files) can be appended as references instead of copies: finish()
 * returns the chunks for one writev, so a Fetch answer never copies the batches it serves.
 */
export class WireWriter {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private pos = 0;
  private readonly done: Buffer[] = [];
  private doneBytes = 0;

  get length(): number {
    return this.doneBytes + this.pos;
  }

  int8(value: number): this {
    this.room(1).writeInt8(value, this.pos++);
    return this;
  }

  int16(value: number): this {
    this.room(2).writeInt16BE(value, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(value: number): this {
    this.room(2).writeUInt16BE(value, this.pos);
    this.pos += 2;
    return this;
  }

  int32(value: number): this {
    this.room(4).writeInt32BE(value, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(value: number): this {
    this.room(4).writeUInt32BE(value, this.pos);
    this.pos += 4;
    return this;
  }

  int64(value: bigint): this {
    this.room(8).writeBigInt64BE(value, this.pos);
    this.pos += 8;
    return this;
  }

  float64(value: number): this {
    this.room(8).writeDoubleBE(value, this.pos);
    this.pos += 8;
    return this;
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  uuid(value: Buffer): this {
    if (value.length !== 16) throw new KafkaWireError('INVALID_VALUE', `a uuid is 16 bytes, got ${value.length}`);
    return this.raw(value);
  }

  unsignedVarint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new KafkaWireError('INVALID_VALUE', `unsigned varint ${value}`);
    const buf = this.room(5);
    let rest = value;
    while (rest >= 0x80) {
      buf[this.pos++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    buf[this.pos++] = rest;
    return this;
  }

  varint(value: number): this {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw new KafkaWireError('INVALID_VALUE', `varint ${value}`);
    return this.unsignedVarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  string(value: string): this {
    return this.nullableString(value);
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > 0x7fff) throw new KafkaWireError('INVALID_VALUE', `string of ${bytes.length} bytes exceeds 32767`);
    return this.int16(bytes.length).raw(bytes);
  }

  compactString(value: string): this {
    return this.compactNullableString(value);
  }

  compactNullableString(value: string | null): this {
    if (value === null) return this.unsignedVarint(0);
    const bytes = Buffer.from(value, 'utf8');
    return this.unsignedVarint(bytes.length + 1).raw(bytes);
  }

  bytes(value: Buffer): this {
    return this.nullableBytes(value);
  }

  nullableBytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).chunk(value);
  }

  compactBytes(value: Buffer): this {
    return this.compactNullableBytes(value);
  }

  compactNullableBytes(value: Buffer | null): this {
    if (value === null) return this.unsignedVarint(0);
    return this.unsignedVarint(value.length + 1).chunk(value);
  }

  array<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    return this.nullableArray(items, item);
  }

  nullableArray<T>(items: readonly T[] | null, item: (writer: this, value: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const value of items) item(this, value);
    return this;
  }

  compactArray<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    return this.compactNullableArray(items, item);
  }

  compactNullableArray<T>(items: readonly T[] | null, item: (writer: this, value: T) => void): this {
    if (items === null) return this.unsignedVarint(0);
    this.unsignedVarint(items.length + 1);
    for (const value of items) item(this, value);
    return this;
  }

  /** A tagged-field section, in ascending tag order as the protocol requires. */
  taggedFields(fields: TaggedFields = new Map()): this {
    const tags = [...fields.keys()].sort((a, b) => a - b);
    this.unsignedVarint(tags.length);
    for (const tag of tags) {
      const value = fields.get(tag)!;
      this.unsignedVarint(tag).unsignedVarint(value.length).raw(value);
    }
    return this;
  }

  /** Copies small bytes in place. */
  raw(value: Buffer): this {
    this.room(value.length);
    value.copy(this.buf, this.pos);
    this.pos += value.length;
    return this;
  }

  /** Appends large bytes by reference (kept as their own chunk), small ones by copy. */
  chunk(value: Buffer): this {
    if (value.length < INITIAL_BYTES) return this.raw(value);
    this.seal();
    this.done.push(value);
    this.doneBytes += value.length;
    return this;
  }

  /** The bytes written, as chunks in order (for writev). */
  finish(): Buffer[] {
    this.seal();
    this.doneBytes = 0;
    return this.done.splice(0);
  }

  /** The bytes written, joined. */
  toBuffer(): Buffer {
    return Buffer.concat(this.finish());
  }

  private seal(): void {
    if (this.pos === 0) return;
    this.done.push(this.buf.subarray(0, this.pos));
    this.doneBytes += this.pos;
    this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
    this.pos = 0;
  }

  private room(n: number): Buffer {
    if (this.pos + n <= this.buf.length) return this.buf;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
    return this.buf;
  }
}
