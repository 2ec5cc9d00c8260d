import { isUtf8 } from 'buffer';
import * as protobuf from 'protobufjs';
import { BrokerError } from '../errors';

// proto-loader's decoder is lenient: it reads a string whose length runs past the end of the
// message as the bytes that are there, and replaces invalid UTF-8, so a 7-byte garbage message
// decoded as a topic named "A". checkWire walks the bytes against the message type first.

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** protobufjs' own recursion limit; deeper nesting is garbage, not a Gregor message. */
const MAX_DEPTH = 100;

class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  /** An unsigned varint of at most 10 bytes; exact below 2^53, which is all a length or tag can be. */
  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed(`${what} is cut off`);
      const byte = this.buf[this.pos++];
      if (i === 9 && byte > 1) throw malformed(`${what} is a varint longer than 64 bits`);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw malformed(`${what} is a varint longer than 10 bytes`);
  }

  skip(length: number, what: string): number {
    const start = this.pos;
    if (length > this.end - this.pos) throw malformed(`${what} is ${length} bytes long but only ${this.end - this.pos} remain`);
    this.pos += length;
    return start;
  }
}

/** A cursor over the length-delimited value at the cursor, which moves past it. */
function lengthDelimited(cursor: Cursor, what: string): Cursor {
  const start = cursor.skip(cursor.varint(`length of ${what}`), what);
  return new Cursor(cursor.buf, start, cursor.pos);
}

function malformed(detail: string): BrokerError {
  return new BrokerError('INVALID_REQUEST', `malformed request: ${detail}`);
}

type ScalarField = Pick<protobuf.FieldBase, 'resolvedType' | 'repeated'>;

function scalarWireType(field: ScalarField, type: string): number {
  if (field.resolvedType instanceof protobuf.Enum) return WIRE.varint;
  const wire = (protobuf.types.basic as Record<string, number | undefined>)[type];
  if (wire === undefined) throw new Error(`no wire type for ${type}`);
  return wire;
}

function skipValue(cursor: Cursor, wireType: number, what: string): number {
  switch (wireType) {
    case WIRE.varint:
      cursor.varint(what);
      return cursor.pos;
    case WIRE.fixed64:
      return cursor.skip(8, what);
    case WIRE.fixed32:
      return cursor.skip(4, what);
    case WIRE.bytes:
      return cursor.skip(cursor.varint(`length of ${what}`), what);
    default:
      throw malformed(`${what} has wire type ${wireType}, which Gregor's messages never use`);
  }
}

function checkScalar(cursor: Cursor, field: ScalarField, type: string, wireType: number, what: string): void {
  const expected = scalarWireType(field, type);
  if (wireType === expected) {
    const start = skipValue(cursor, wireType, what);
    if (type === 'string' && !isUtf8(cursor.buf.subarray(start, cursor.pos))) throw malformed(`${what} is not valid UTF-8`);
    return;
  }
  const packable = field.repeated && type !== 'string' && type !== 'bytes';
  if (!packable || wireType !== WIRE.bytes) throw malformed(`${what} has wire type ${wireType}, expected ${expected}`);
  const packed = lengthDelimited(cursor, what);
  while (packed.pos < packed.end) skipValue(packed, expected, what);
}

function checkMapEntry(cursor: Cursor, field: protobuf.MapField, depth: number): void {
  const what = `${field.name} entry`;
  const entry = lengthDelimited(cursor, what);
  while (entry.pos < entry.end) {
    const tag = entry.varint(`tag in ${what}`);
    const wireType = tag % 8;
    const id = Math.floor(tag / 8);
    if (id === 1) checkScalar(entry, { resolvedType: null, repeated: false }, field.keyType, wireType, `${what} key`);
    else if (id === 2 && field.resolvedType instanceof protobuf.Type) {
      if (wireType !== WIRE.bytes) throw malformed(`${what} value has wire type ${wireType}, expected 2`);
      checkNested(entry, field.resolvedType, depth + 1, `${what} value`);
    } else if (id === 2) checkScalar(entry, { resolvedType: field.resolvedType, repeated: false }, field.type, wireType, `${what} value`);
    else skipValue(entry, wireType, `field ${id} of ${what}`);
  }
}

function checkNested(cursor: Cursor, type: protobuf.Type, depth: number, what: string): void {
  checkFields(lengthDelimited(cursor, what), type, depth);
}

function checkFields(cursor: Cursor, type: protobuf.Type, depth: number): void {
  if (depth > MAX_DEPTH) throw malformed(`messages nested more than ${MAX_DEPTH} deep`);
  while (cursor.pos < cursor.end) {
    const tag = cursor.varint(`a field tag of ${type.name}`);
    const wireType = tag % 8;
    const id = Math.floor(tag / 8);
    if (id === 0 || id > 0x1fffffff) throw malformed(`${type.name} has a field numbered ${id}`);
    const field = type.fieldsById[id];
    const what = field ? `${type.name}.${field.name} (field ${id})` : `unknown field ${id} of ${type.name}`;
    if (!field) skipValue(cursor, wireType, what);
    else if (field instanceof protobuf.MapField) {
      if (wireType !== WIRE.bytes) throw malformed(`${what} has wire type ${wireType}, expected 2`);
      checkMapEntry(cursor, field, depth);
    } else if (field.resolvedType instanceof protobuf.Type) {
      if (wireType !== WIRE.bytes) throw malformed(`${what} has wire type ${wireType}, expected 2`);
      checkNested(cursor, field.resolvedType, depth + 1, what);
    } else checkScalar(cursor, field, field.type, wireType, what);
  }
}

/**
 * Throws INVALID_REQUEST unless `bytes` are a well-formed encoding of `type`: every length within
 * its message, every known field of its declared wire type (or packed), strings valid UTF-8,
 * varints at most 64 bits, no groups. Unknown fields are allowed when they parse.
 */
export function checkWire(type: protobuf.Type, bytes: Buffer): void {
  checkFields(new Cursor(bytes, 0, bytes.length), type, 0);
}
