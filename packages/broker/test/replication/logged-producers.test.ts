import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LAST_OFFSET_DELTA_POS, encodeBatch, setBaseOffset, setPartitionLeaderEpoch } from '@gregor/records';
import { LogConfig, PartitionLog } from '@gregor/storage';
import { mulberry32, randomInt, testSeed } from '@gregor/testkit';
import { ProducerStates } from '../../src/replication/producer-state';

const CONFIG: Partial<LogConfig> = { segmentBytes: 1024, flush: { kind: 'interval', intervalMs: 60_000, intervalBytes: 1 << 30 } };
const PRODUCERS = 6;
const STEPS = 400;

/** What a new leader used to do: read every batch header of its log. */
function fullScan(log: PartitionLog): Buffer {
  const states = new ProducerStates();
  for (const header of log.batchHeaders()) states.apply(header);
  return states.snapshot();
}

function corruptSomeSnapshot(dir: string, random: () => number): void {
  const snapshots = fs.readdirSync(dir).filter((name) => name.endsWith('.snapshot'));
  if (snapshots.length === 0) return;
  const file = path.join(dir, snapshots[randomInt(random, 0, snapshots.length - 1)]);
  const bytes = fs.readFileSync(file);
  bytes[randomInt(random, 0, bytes.length - 1)] ^= 1 << randomInt(random, 0, 7);
  fs.writeFileSync(file, bytes);
}

describe('producer state kept by the log', () => {
  it('equals a full scan of the log after any mix of appends, rolls, truncations, clean and unclean reopenings and corrupt snapshots', async () => {
    const random = mulberry32(testSeed('logged producers'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-logged-producers-'));
    let log = await PartitionLog.open(dir, CONFIG);
    let tracked = new ProducerStates();
    log.track(tracked);
    const epochs = new Array<number>(PRODUCERS).fill(0);
    const sequences = new Array<number>(PRODUCERS).fill(0);
    let term = 1;
    const nextBatch = (): Buffer => {
      const records = Array.from({ length: randomInt(random, 1, 4) }, () => ({ key: null, value: Buffer.alloc(randomInt(random, 1, 120)) }));
      const producer = randomInt(random, -1, PRODUCERS - 1);
      if (producer < 0) return encodeBatch(records);
      if (random() < 0.05) epochs[producer]++;
      // Mostly in order, sometimes a retry or a gap: the log holds whatever leaders wrote.
      const sequence = random() < 0.9 ? sequences[producer] : randomInt(random, 0, sequences[producer] + 3);
      sequences[producer] = sequence + records.length;
      return encodeBatch(records, { producerId: 100 + producer, producerEpoch: epochs[producer], baseSequence: sequence });
    };
    let rolls = 0;
    let truncations = 0;
    let corruptions = 0;

    for (let step = 0; step < STEPS; step++) {
      const action = random();
      const segments = log.segmentCount;
      if (action < 0.6) {
        await log.append(nextBatch(), term);
      } else if (action < 0.75) {
        let offset = log.logEndOffset;
        const batches = Array.from({ length: randomInt(random, 2, 6) }, () => {
          const batch = nextBatch();
          setBaseOffset(batch, 0, offset);
          setPartitionLeaderEpoch(batch, 0, term);
          offset += batch.readInt32BE(LAST_OFFSET_DELTA_POS) + 1;
          return batch;
        });
        await log.appendAsFollower(batches);
      } else if (action < 0.87) {
        if (log.logEndOffset > 0) {
          await log.truncateTo(randomInt(random, 0, log.logEndOffset - 1));
          truncations++;
        }
        term++;
      } else {
        // Half the time a crash: the log is left open, and the next open finds no clean-shutdown marker.
        if (random() < 0.5) await log.close();
        if (random() < 0.5) {
          corruptSomeSnapshot(dir, random);
          corruptions++;
        }
        log = await PartitionLog.open(dir, CONFIG);
        tracked = new ProducerStates();
        log.track(tracked);
      }
      if (log.segmentCount > segments) rolls++;
      expect(tracked.snapshot()).toEqual(fullScan(log));
    }
    await log.close();
    // The mix exercised what it claims to.
    expect(rolls).toBeGreaterThan(20);
    expect(truncations).toBeGreaterThan(10);
    expect(corruptions).toBeGreaterThan(5);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
