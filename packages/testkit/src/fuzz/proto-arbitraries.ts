import * as path from 'node:path';
import * as fc from 'fast-check';
import * as protobuf from 'protobufjs';
import { PROTO_FILES, PROTO_ROOT } from '@gregor/proto';

/** Values the generated requests draw on, so many of them name things that exist. */
export interface FuzzPools {
  /** Topic, group and other names. */
  strings: readonly string[];
  /** Well-formed record batches, for bytes fields. */
  batches: readonly Buffer[];
}

export function loadProtoRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.resolve(PROTO_ROOT, target);
  root.loadSync(PROTO_FILES);
  root.resolveAll();
  return root;
}

/** Messages nest this deep at most; deeper fields are left unset. */
const MAX_DEPTH = 3;

function stringArb(pools: FuzzPools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pools.strings) },
    { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  );
}

function scalarArb(type: string, resolved: protobuf.ReflectionObject | null, pools: FuzzPools, depth: number): fc.Arbitrary<unknown> {
  if (resolved instanceof protobuf.Enum) return fc.oneof(fc.constantFrom(...Object.values(resolved.values)), fc.integer({ min: -1, max: 20 }));
  if (resolved instanceof protobuf.Type) return messageArb(resolved, pools, depth + 1);
  switch (type) {
    case 'string':
      return stringArb(pools);
    case 'bytes':
      return fc.oneof(fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b)), fc.constantFrom(...pools.batches));
    case 'bool':
      return fc.boolean();
    case 'double':
    case 'float':
      return fc.double();
    case 'uint32':
    case 'fixed32':
      return fc.oneof(fc.nat(8), fc.nat({ max: 2 ** 32 - 1 }));
    case 'uint64':
    case 'fixed64':
      return fc.oneof(fc.nat(100), fc.maxSafeNat());
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return fc.oneof(fc.integer({ min: -2, max: 100 }), fc.maxSafeInteger());
    default:
      return fc.oneof(fc.integer({ min: -2, max: 8 }), fc.integer());
  }
}

/** Objects of `type` as protobufjs fromObject takes them: any subset of fields, each of its type. */
export function messageArb(type: protobuf.Type, pools: FuzzPools, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  if (depth > MAX_DEPTH) return fc.constant({});
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of type.fieldsArray) {
    const value = scalarArb(field.type, field.resolvedType, pools, depth);
    if (field instanceof protobuf.MapField) fields[field.name] = fc.dictionary(stringArb(pools), value, { maxKeys: 3 });
    else if (field.repeated) fields[field.name] = fc.array(value, { maxLength: 3 });
    else fields[field.name] = value;
  }
  return fc.record(fields, { requiredKeys: [] });
}

export function encodeMessage(type: protobuf.Type, value: Record<string, unknown>): Buffer {
  const bytes = type.encode(type.fromObject(value)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
