import type { TaggedFields, WireReader } from './wire-reader';
import type { WireWriter } from './wire-writer';

const NO_TAGS: TaggedFields = new Map();

/**
 * A request body read at one API version: strings, bytes and arrays are compact (varint
 * lengths) in flexible versions and int16/int32-prefixed before, and only flexible versions
 * carry tagged fields. One decoder then serves a whole version family.
 */
export class VersionedReader {
  constructor(
    readonly reader: WireReader,
    readonly version: number,
    readonly flexible: boolean,
  ) {}

  int8(): number {
    return this.reader.int8();
  }

  int16(): number {
    return this.reader.int16();
  }

  int32(): number {
    return this.reader.int32();
  }

  int64(): bigint {
    return this.reader.int64();
  }

  boolean(): boolean {
    return this.reader.boolean();
  }

  uuid(): Buffer {
    return this.reader.uuid();
  }

  string(): string {
    return this.flexible ? this.reader.compactString() : this.reader.string();
  }

  nullableString(): string | null {
    return this.flexible ? this.reader.compactNullableString() : this.reader.nullableString();
  }

  nullableBytes(): Buffer | null {
    return this.flexible ? this.reader.compactNullableBytes() : this.reader.nullableBytes();
  }

  array<T>(item: (reader: VersionedReader) => T): T[] {
    return this.flexible ? this.reader.compactArray(() => item(this)) : this.reader.array(() => item(this));
  }

  nullableArray<T>(item: (reader: VersionedReader) => T): T[] | null {
    return this.flexible ? this.reader.compactNullableArray(() => item(this)) : this.reader.nullableArray(() => item(this));
  }

  /** The tagged fields flexible versions carry here; none before. */
  tags(): TaggedFields {
    return this.flexible ? this.reader.taggedFields() : NO_TAGS;
  }
}

/** A response body written at one API version; see VersionedReader. */
export class VersionedWriter {
  constructor(
    readonly writer: WireWriter,
    readonly version: number,
    readonly flexible: boolean,
  ) {}

  int8(value: number): this {
    this.writer.int8(value);
    return this;
  }

  int16(value: number): this {
    this.writer.int16(value);
    return this;
  }

  int32(value: number): this {
    this.writer.int32(value);
    return this;
  }

  int64(value: bigint | number): this {
    this.writer.int64(BigInt(value));
    return this;
  }

  boolean(value: boolean): this {
    this.writer.boolean(value);
    return this;
  }

  uuid(value: Buffer): this {
    this.writer.uuid(value);
    return this;
  }

  string(value: string): this {
    if (this.flexible) this.writer.compactString(value);
    else this.writer.string(value);
    return this;
  }

  nullableString(value: string | null): this {
    if (this.flexible) this.writer.compactNullableString(value);
    else this.writer.nullableString(value);
    return this;
  }

  /** Large values are sent from where they lie (see WireWriter.chunk). */
  nullableBytes(value: Buffer | null): this {
    if (this.flexible) this.writer.compactNullableBytes(value);
    else this.writer.nullableBytes(value);
    return this;
  }

  array<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    if (this.flexible) this.writer.compactArray(items, (_, value) => item(this, value));
    else this.writer.array(items, (_, value) => item(this, value));
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (writer: this, value: T) => void): this {
    if (this.flexible) this.writer.compactNullableArray(items, (_, value) => item(this, value));
    else this.writer.nullableArray(items, (_, value) => item(this, value));
    return this;
  }

  /** An empty tagged-field section in flexible versions; nothing before. */
  tags(): this {
    if (this.flexible) this.writer.taggedFields();
    return this;
  }
}
