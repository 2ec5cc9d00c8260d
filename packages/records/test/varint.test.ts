import fc from 'fast-check';
import { ByteReader, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from '../src/varint';
import { expectRecordsError, withSeed } from './helpers';

/** An independent zigzag varint encoder over BigInt, as the protobuf spec describes it. */
function referenceVarlong(value: bigint): Buffer {
  let z = value >= 0n ? value * 2n : -value * 2n - 1n;
  const bytes: number[] = [];
  while (z >= 0x80n) {
    bytes.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  bytes.push(Number(z));
  return Buffer.from(bytes);
}

function encodeVarlong(value: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarlong(buf, 0, value));
}

describe('zigzag varints', () => {
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-2, '03'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('encodes varint %d as %s', (value, hex) => {
    const buf = Buffer.alloc(5);
    const end = writeVarint(buf, 0, value);
    expect(buf.subarray(0, end).toString('hex')).toBe(hex);
    expect(sizeOfVarint(value)).toBe(end);
    expect(new ByteReader(buf, 0, end).readVarint()).toBe(value);
  });

  it('encodes varlongs beyond int32 as the BigInt reference does', () => {
    for (const value of [2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, -(2 ** 52), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(encodeVarlong(value).toString('hex')).toBe(referenceVarlong(BigInt(value)).toString('hex'));
    }
  });

  it('round-trips any safe integer through varlong, byte-identical to the reference', () => {
    withSeed('varlong round trip', (seed) =>
      fc.assert(
        fc.property(fc.maxSafeInteger(), (value) => {
          const bytes = encodeVarlong(value);
          expect(bytes.toString('hex')).toBe(referenceVarlong(BigInt(value)).toString('hex'));
          expect(sizeOfVarlong(value)).toBe(bytes.length);
          const reader = new ByteReader(bytes, 0, bytes.length);
          expect(reader.readVarlong()).toBe(value);
          expect(reader.remaining()).toBe(0);
        }),
        { seed, numRuns: 2000 },
      ),
    );
  });

  it('round-trips any int32 through varint', () => {
    withSeed('varint round trip', (seed) =>
      fc.assert(
        fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
          const buf = Buffer.alloc(5);
          const end = writeVarint(buf, 0, value);
          expect(sizeOfVarint(value)).toBe(end);
          expect(new ByteReader(buf, 0, end).readVarint()).toBe(value);
        }),
        { seed, numRuns: 2000 },
      ),
    );
  });

  it('rejects a varint running past the end or longer than 5 bytes', () => {
    expectRecordsError(() => new ByteReader(Buffer.from([0x80, 0x80]), 0, 2).readVarint(), 'INVALID_RECORD');
    expectRecordsError(() => new ByteReader(Buffer.alloc(6, 0x80), 0, 6).readVarint(), 'INVALID_RECORD');
    expectRecordsError(() => new ByteReader(Buffer.alloc(11, 0x80), 0, 11).readVarlong(), 'INVALID_RECORD');
  });

  it('refuses to write a varlong that is not a safe integer', () => {
    expectRecordsError(() => encodeVarlong(2 ** 60), 'INVALID_ARGUMENT');
    expectRecordsError(() => encodeVarlong(0.5), 'INVALID_ARGUMENT');
  });
});
