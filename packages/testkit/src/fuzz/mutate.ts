import { randomBytes, randomInt } from '../prng';

/** One to four byte-level edits of an encoded message: flips, overwrites, inserts, cuts. */
export function mutate(bytes: Buffer, random: () => number): Buffer {
  let out = Buffer.from(bytes);
  const edits = randomInt(random, 1, 4);
  for (let i = 0; i < edits; i++) {
    const at = randomInt(random, 0, out.length);
    switch (randomInt(random, 0, 5)) {
      case 0:
        if (out.length > 0) out[Math.min(at, out.length - 1)] ^= 1 << randomInt(random, 0, 7);
        break;
      case 1:
        if (out.length > 0) out[Math.min(at, out.length - 1)] = randomInt(random, 0, 255);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), randomBytes(random, randomInt(random, 1, 8)), out.subarray(at)]);
        break;
      case 3:
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + randomInt(random, 1, 8)))]);
        break;
      case 4:
        out = out.subarray(0, at);
        break;
      default:
        // a run of continuation bytes: a varint (length or tag) that never ends or overflows
        out = Buffer.concat([out.subarray(0, at), Buffer.alloc(randomInt(random, 1, 11), 0xff), out.subarray(at)]);
    }
  }
  return out;
}
