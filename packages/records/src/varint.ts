import { RecordsError } from './errors';

/**
 * Zigzag varints as Kafka's record format uses them (protobuf sint32/sint64). Values that fit in an int32 take the
 * integer fast path; larger varlongs (timestamp deltas beyond ~24 days) go through 32-bit word pairs.
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

const TWO_POW_32 = 4294967296;

/**
 * Zigzag of a safe integer beyond int32, as two uint32 words: the result needs up to 54 bits, more than a double
 * holds exactly, so the shift-and-xor is done on the 64-bit two's complement split into high and low halves.
 */
function zigzag64Words(value: number, words: Uint32Array): void {
  if (!Number.isSafeInteger(value)) {
    throw new RecordsError('INVALID_ARGUMENT', `varlong ${value} is not a safe integer`);
  }
  const high = Math.floor(value / TWO_POW_32);
  const low = value - high * TWO_POW_32;
  const sign = high >> 31;
  words[0] = ((low << 1) ^ sign) >>> 0;
  words[1] = (((high << 1) | (low >>> 31)) ^ sign) >>> 0;
}

const scratchWords = new Uint32Array(2);

function sizeOfUnsigned64(low: number, high: number): number {
  if (high === 0) return sizeOfUnsigned32(low);
  // bits above the 28 held by the first four bytes: 4 low bits plus the high word
  let rest = (high * 16 + (low >>> 28)) / 128;
  let size = 5;
  while (rest >= 1) {
    rest /= 128;
    size++;
  }
  return size;
}

export function sizeOfVarlong(value: number): number {
  if (isInt32(value)) return sizeOfVarint(value);
  zigzag64Words(value, scratchWords);
  return sizeOfUnsigned64(scratchWords[0], scratchWords[1]);
}

/** Writes a 64-bit zigzag varint (exact for safe integers); returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if (isInt32(value)) return writeVarint(buf, pos, value);
  zigzag64Words(value, scratchWords);
  let low = scratchWords[0];
  let high = scratchWords[1];
  while (high !== 0 || low >= 0x80) {
    buf[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  buf[pos++] = low;
  return pos;
}

function unzigzag64(low: number, high: number): number {
  const sign = -(low & 1);
  const valueLow = (((low >>> 1) | (high << 31)) ^ sign) >>> 0;
  const valueHigh = ((high >>> 1) ^ sign) | 0;
  return valueHigh * TWO_POW_32 + valueLow;
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

  /** Reads a 64-bit zigzag varint; exact while the value is a safe integer (|v| < 2^53). */
  readVarlong(): number {
    const first = this.nextByte();
    if (first < 0x80) return (first >>> 1) ^ -(first & 1);
    let low = first & 0x7f;
    let high = 0;
    for (let i = 1; i < MAX_VARLONG_BYTES; i++) {
      const b = this.nextByte() & 0x7f;
      const shift = 7 * i;
      if (shift < 32) {
        low |= b << shift;
        if (shift > 25) high |= b >>> (32 - shift);
      } else {
        high |= b << (shift - 32);
      }
      if (this.buf[this.pos - 1] < 0x80) return unzigzag64(low >>> 0, high >>> 0);
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
