import { ATTRIBUTES_POS, BATCH_LENGTH_POS, CRC_POS, LOG_OVERHEAD, RecordsError, type RecordsErrorCode, crc32c } from '@gregor/records';

export function expectRecordsError(fn: () => unknown, code: RecordsErrorCode): RecordsError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(RecordsError);
  expect((thrown as RecordsError).code).toBe(code);
  return thrown as RecordsError;
}

/** Rewrites a batch's length field and CRC to match its bytes, so a deliberate edit is the only thing wrong. */
export function reseal(batch: Buffer): Buffer {
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_POS);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_POS)), CRC_POS);
  return batch;
}

/** Seed for property tests: FC_SEED from the environment replays a failure; otherwise a fresh one per run. */
export function propertySeed(): number {
  const fromEnv = process.env.FC_SEED;
  return fromEnv === undefined ? Date.now() % 2 ** 31 : Number(fromEnv);
}

/** Runs a fast-check assertion and, on failure, says how to replay it. */
export function withSeed(name: string, run: (seed: number) => void): void {
  const seed = propertySeed();
  try {
    run(seed);
  } catch (err) {
    const message = `${name} failed with seed ${seed}; replay with FC_SEED=${seed}`;
    console.error(message);
    throw new Error(`${message}\n${(err as Error).message}`);
  }
}
