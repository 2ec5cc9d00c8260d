/** mulberry32: a tiny, fast, seeded 32-bit PRNG. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Four bytes per draw. */
export function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length + 3);
  for (let i = 0; i < length; i += 4) bytes.writeUInt32LE((random() * 4294967296) >>> 0, i);
  return bytes.subarray(0, length);
}

/**
 * The seed for a randomized test: $GREGOR_SEED if set (to replay a failure),
 * else a fresh one. Printed either way so a failing run can be replayed.
 */
export function testSeed(label: string): number {
  const fromEnv = process.env.GREGOR_SEED;
  const seed = fromEnv !== undefined ? Number(fromEnv) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  process.stderr.write(`[${label}] seed ${seed} (replay with GREGOR_SEED=${seed})\n`);
  return seed;
}
