import fc from 'fast-check';
import { KafkaWireError, WireReader, WireWriter } from '../src';

/** One value of each primitive, with how to write and read it back. */
type Field =
  | { kind: 'int8' | 'int16' | 'int32' | 'uvarint' | 'varint'; value: number }
  | { kind: 'int64'; value: bigint }
  | { kind: 'string' | 'compactString'; value: string | null }
  | { kind: 'bytes' | 'compactBytes'; value: Buffer | null }
  | { kind: 'int32Array' | 'compactInt32Array'; value: number[] | null }
  | { kind: 'tagged'; value: Map<number, Buffer> };

const bytes = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));
const field: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: -128, max: 127 }).map((value) => ({ kind: 'int8' as const, value })),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ kind: 'int16' as const, value })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => ({ kind: 'int32' as const, value })),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((value) => ({ kind: 'uvarint' as const, value })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => ({ kind: 'varint' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: 'int64' as const, value })),
  fc.option(fc.string({ unit: 'grapheme', maxLength: 40 })).map((value) => ({ kind: 'string' as const, value })),
  fc.option(fc.string({ unit: 'grapheme', maxLength: 40 })).map((value) => ({ kind: 'compactString' as const, value })),
  fc.option(bytes).map((value) => ({ kind: 'bytes' as const, value })),
  fc.option(bytes).map((value) => ({ kind: 'compactBytes' as const, value })),
  fc.option(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 })).map((value) => ({ kind: 'int32Array' as const, value })),
  fc.option(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 20 })).map((value) => ({ kind: 'compactInt32Array' as const, value })),
  fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 1000 }), bytes), { selector: ([tag]) => tag, maxLength: 5 }).map((pairs) => ({ kind: 'tagged' as const, value: new Map(pairs) })),
);

function write(writer: WireWriter, f: Field): void {
  switch (f.kind) {
    case 'int8': writer.int8(f.value); break;
    case 'int16': writer.int16(f.value); break;
    case 'int32': writer.int32(f.value); break;
    case 'uvarint': writer.unsignedVarint(f.value); break;
    case 'varint': writer.varint(f.value); break;
    case 'int64': writer.int64(f.value); break;
    case 'string': writer.nullableString(f.value); break;
    case 'compactString': writer.compactNullableString(f.value); break;
    case 'bytes': writer.nullableBytes(f.value); break;
    case 'compactBytes': writer.compactNullableBytes(f.value); break;
    case 'int32Array': writer.nullableArray(f.value, (w, v) => w.int32(v)); break;
    case 'compactInt32Array': writer.compactNullableArray(f.value, (w, v) => w.int32(v)); break;
    case 'tagged': writer.taggedFields(f.value); break;
  }
}

function read(reader: WireReader, f: Field): unknown {
  switch (f.kind) {
    case 'int8': return reader.int8();
    case 'int16': return reader.int16();
    case 'int32': return reader.int32();
    case 'uvarint': return reader.unsignedVarint();
    case 'varint': return reader.varint();
    case 'int64': return reader.int64();
    case 'string': return reader.nullableString();
    case 'compactString': return reader.compactNullableString();
    case 'bytes': return reader.nullableBytes();
    case 'compactBytes': return reader.compactNullableBytes();
    case 'int32Array': return reader.nullableArray((r) => r.int32());
    case 'compactInt32Array': return reader.compactNullableArray((r) => r.int32());
    case 'tagged': return reader.taggedFields();
  }
}

function encode(fields: readonly Field[]): Buffer {
  const writer = new WireWriter();
  for (const f of fields) write(writer, f);
  return writer.toBuffer();
}

const seed = Number(process.env.FC_SEED ?? 20261203);

describe('Kafka wire primitives', () => {
  it('read back every value written, field for field, to the last byte', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
        const reader = new WireReader(encode(fields));
        for (const f of fields) expect(read(reader, f)).toEqual(f.value);
        expect(reader.remaining).toBe(0);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('refuse every truncation with TRUNCATED, never a wrong value', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), fc.nat(), (fields, cut) => {
        const full = encode(fields);
        if (full.length === 0) return;
        const reader = new WireReader(full.subarray(0, cut % full.length));
        expect(() => fields.forEach((f) => read(reader, f))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
      }),
      { seed, numRuns: 500 },
    );
  });

  it('write unsigned varints as Kafka does: 7 bits a byte, low first', () => {
    expect(new WireWriter().unsignedVarint(0).toBuffer()).toEqual(Buffer.from([0]));
    expect(new WireWriter().unsignedVarint(300).toBuffer()).toEqual(Buffer.from([0xac, 0x02]));
    expect(new WireWriter().unsignedVarint(2 ** 32 - 1).toBuffer()).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(new WireWriter().varint(-1).toBuffer()).toEqual(Buffer.from([0x01]));
    expect(new WireWriter().compactNullableString(null).compactString('ab').toBuffer()).toEqual(Buffer.from([0, 3, 0x61, 0x62]));
  });

  it('refuse varints over 32 bits, negative lengths and lying counts', () => {
    const refused = (buf: number[], readIt: (r: WireReader) => unknown, code: string) =>
      expect(() => readIt(new WireReader(Buffer.from(buf)))).toThrow(expect.objectContaining({ code }));
    refused([0xff, 0xff, 0xff, 0xff, 0x1f], (r) => r.unsignedVarint(), 'INVALID_VALUE');
    refused([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], (r) => r.unsignedVarint(), 'INVALID_VALUE');
    refused([0xff, 0xfe], (r) => r.nullableString(), 'INVALID_VALUE');
    refused([0xff, 0xff], (r) => r.string(), 'INVALID_VALUE');
    refused([0xff, 0xff, 0xff, 0xfe], (r) => r.nullableBytes(), 'INVALID_VALUE');
    refused([0x7f, 0xff, 0xff, 0xff, 1, 2], (r) => r.array((x) => x.int8()), 'TRUNCATED');
    refused([0x02, 0x05, 0x00, 0x03, 0x00], (r) => r.taggedFields(), 'INVALID_VALUE');
  });

  it('keep large byte fields as references, not copies', () => {
    const batch = Buffer.alloc(4096, 7);
    const chunks = new WireWriter().int32(1).bytes(batch).int16(2).finish();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(batch);
    expect(Buffer.concat(chunks).length).toBe(4 + 4 + 4096 + 2);
  });

  it('throw only KafkaWireError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(field, { maxLength: 6 }), (raw, fields) => {
        const reader = new WireReader(Buffer.from(raw));
        try {
          fields.forEach((f) => read(reader, f));
        } catch (err) {
          expect(err).toBeInstanceOf(KafkaWireError);
        }
      }),
      { seed, numRuns: 1000 },
    );
  });
});
