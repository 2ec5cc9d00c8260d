import { RecordsError } from './errors';

/**
 * Zigzag varints as Kafka's record format uses them (protobuf sint32/sint64). Values that fit in an int32 take the
 * integer fast path; larger varlongs (timestamp deltas beyond ~24 days) use float arithmetic, exact to 2^53.
 */

const MAX_VARINT_BYTES = 5;
const MAX_VARLONG_BYTES = 10;

function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function sizeOfUnsigned32(z: number): number {
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

function isInt32(value: number): boolean {
  return (value | 0) === value;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsigned32(zigzag32(value));
}

/** Writes an int32 as a zigzag varint; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let z = zigzag32(value);
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

function zigzagLarge(value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new RecordsError('INVALID_ARGUMENT', `varlong ${value} is not a safe integer`);
  }
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function sizeOfVarlong(value: number): number {
  if (isInt32(value)) return sizeOfVarint(value);
  let z = zigzagLarge(value);
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    size++;
  }
  return size;
}

/** Writes a 64-bit zigzag varint (exact for safe integers); returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if (isInt32(value)) return writeVarint(buf, pos, value);
  let z = zigzagLarge(value);
  while (z >= 0x80) {
    buf[pos++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[pos++] = z;
  return pos;
}

/** A read position over [pos, end) of a buffer; running past `end` is an INVALID_RECORD error. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  remaining(): number {
    return this.end - this.pos;
  }

  private nextByte(): number {
    if (this.pos >= this.end) {
      throw new RecordsError('INVALID_RECORD', `varint runs past the end of the records at ${this.pos}`);
    }
    return this.buf[this.pos++];
  }

  readInt8(): number {
    const b = this.nextByte();
    return (b << 24) >> 24;
  }

  readVarint(): number {
    let z = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.nextByte();
      z |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return (z >>> 1) ^ -(z & 1);
    }
    throw new RecordsError('INVALID_RECORD', `varint longer than ${MAX_VARINT_BYTES} bytes at ${this.pos}`);
  }

  readVarlong(): number {
    let b = this.nextByte();
    if (b < 0x80) return (b >>> 1) ^ -(b & 1);
    let z = b & 0x7f;
    let multiplier = 0x80;
    for (let i = 1; i < MAX_VARLONG_BYTES; i++) {
      b = this.nextByte();
      z += (b & 0x7f) * multiplier;
      if (b < 0x80) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      multiplier *= 0x80;
    }
    throw new RecordsError('INVALID_RECORD', `varlong longer than ${MAX_VARLONG_BYTES} bytes at ${this.pos}`);
  }

  /** A view (no copy) of the next `length` bytes. */
  readBytes(length: number): Buffer {
    if (length > this.end - this.pos) {
      throw new RecordsError('INVALID_RECORD', `field of ${length} bytes runs past the end of the records`);
    }
    const view = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  readUtf8(length: number): string {
    if (length > this.end - this.pos) {
      throw new RecordsError('INVALID_RECORD', `string of ${length} bytes runs past the end of the records`);
    }
    const text = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }
}
