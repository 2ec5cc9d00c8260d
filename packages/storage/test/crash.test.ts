import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBatchHeader } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { mulberry32, randomInt, testSeed, waitFor } from '@gregor/testkit';
import { tempDir } from './helpers';

const WRITER = path.resolve(__dirname, '../dist-tools/test/fixtures/crash-writer.js');
const ROUNDS = 20;

interface Ack {
  baseOffset: number;
  lastOffset: number;
  crc: number;
}

function startWriter(dir: string, seed: number, acks: Ack[]): ChildProcess {
  const child = spawn(process.execPath, [WRITER, dir, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [baseOffset, lastOffset, crc] = line.split(' ').map(Number);
      acks.push({ baseOffset, lastOffset, crc });
    }
  });
  return child;
}

describe('crash safety under flush=always', () => {
  it(`keeps every acknowledged batch intact across ${ROUNDS} SIGKILLs at random moments`, async () => {
    expect(fs.existsSync(WRITER)).toBe(true);
    const seed = testSeed('storage crash');
    const random = mulberry32(seed);
    const dir = tempDir('gregor-crash-');
    const acked: Ack[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const acks: Ack[] = [];
      const child = startWriter(dir, seed + round, acks);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const target = randomInt(random, 1, 150);
      await waitFor(() => acks.length >= target, 20_000, `${target} acks in round ${round} (seed ${seed})`);
      child.kill('SIGKILL');
      await exited;
      acked.push(...acks);

      const log = await PartitionLog.open(dir);
      for (const ack of acked) {
        const { bytes } = await log.read(ack.baseOffset, 1);
        const header = readBatchHeader(bytes, 0);
        const found = { baseOffset: header.baseOffset, lastOffset: header.baseOffset + header.lastOffsetDelta, crc: header.crc };
        if (found.baseOffset !== ack.baseOffset || found.crc !== ack.crc || found.lastOffset !== ack.lastOffset) {
          throw new Error(`round ${round}, seed ${seed}: acked ${JSON.stringify(ack)} but found ${JSON.stringify(found)}`);
        }
      }
      // Left open on purpose: the next writer must recover from an unclean directory again.
    }
    expect(acked.length).toBeGreaterThan(ROUNDS);
  }, 120_000);
});
