/**
 * Compression codecs on a realistic batch: about 1 MiB of seeded JSON event records, encoded and decoded
 * through the records codec with each of Kafka's codecs. 'none' is the reference in the same run (record
 * encoding alone). Rates are MB of uncompressed records section per CPU second, best of ROUNDS: CPU time
 * because wall time on a shared machine measures the neighbours.
 */
import { BATCH_HEADER_SIZE, COMPRESSION_NAMES, compressionTypeNamed, decodeBatch, encodeBatch, type Record } from '@gregor/records';
import { mulberry32, randomInt } from '@gregor/testkit';

const ROUNDS = 15;
const MIN_ROUND_SECONDS = 0.1;
const EVENTS = ['page_view', 'click', 'add_to_cart', 'checkout', 'search'];

function records(): Record[] {
  const random = mulberry32(42);
  const out: Record[] = [];
  for (let bytes = 0; bytes < 1 << 20; ) {
    const value = Buffer.from(
      JSON.stringify({
        id: randomInt(random, 0, 1e9),
        user: `user-${randomInt(random, 0, 4999)}`,
        event: EVENTS[randomInt(random, 0, EVENTS.length - 1)],
        path: `/products/${randomInt(random, 0, 19999)}`,
        price: randomInt(random, 0, 1e6) / 100,
        session: randomInt(random, 0, 2 ** 32 - 1).toString(16),
      }),
    );
    out.push({ key: Buffer.from(`user-${randomInt(random, 0, 4999)}`), value, timestamp: 1_700_000_000_000 + out.length });
    bytes += value.length;
  }
  return out;
}

function bestRate(bytes: number, run: () => void): number {
  for (let i = 0; i < 3; i++) run();
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    let runs = 0;
    let seconds = 0;
    do {
      run();
      runs++;
      const used = process.cpuUsage(start);
      seconds = (used.user + used.system) / 1e6;
    } while (seconds < MIN_ROUND_SECONDS);
    best = Math.max(best, (runs * bytes) / seconds / 1e6);
  }
  return Math.round(best);
}

const batchRecords = records();
const sectionBytes = encodeBatch(batchRecords).length - BATCH_HEADER_SIZE;
for (const codec of COMPRESSION_NAMES) {
  const compression = compressionTypeNamed(codec);
  const batch = encodeBatch(batchRecords, { compression });
  const line = {
    bench: 'codecs',
    codec,
    sectionBytes,
    ratio: Number((sectionBytes / (batch.length - BATCH_HEADER_SIZE)).toFixed(2)),
    encodeMBps: bestRate(sectionBytes, () => encodeBatch(batchRecords, { compression })),
    decodeMBps: bestRate(sectionBytes, () => decodeBatch(batch)),
  };
  console.log(JSON.stringify(line));
}
