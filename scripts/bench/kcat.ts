import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mulberry32, randomBytes } from '@gregor/testkit';
import { BenchConfig } from './config';
import { WorkerResult } from './task';
import { Variant } from './variants';

/** Runs `kcat args`, stdin from `input` (a file) or nothing; resolves with its exit code, what it printed and the seconds it took. */
function timedKcat(args: string[], input: string | null): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('kcat', args, { stdio: [input === null ? 'ignore' : fs.openSync(input, 'r'), 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}

/**
 * kcat (librdkafka) against a broker's Kafka listener, the whole process timed as a user would
 * time a pipeline: `kcat -P` of a file of records with acks=all until it exits (every record
 * delivered), then `kcat -C -o beginning -e` until it has read them all. kcat reads records as
 * lines, so the values are printable: the same bytes as the other systems' records, mapped
 * into letters, one per line. The consumer prints each record's size, not its value: like the
 * other systems' consumers, which count what they receive, it then measures fetching rather than
 * a 500 MB copy through a pipe into this process (which alone took kcat 2-3x longer).
 */
export async function measureKcat(variant: Variant, config: BenchConfig, progress: (message: string) => void): Promise<{ produce: WorkerResult[]; consume: WorkerResult[] }> {
  const address = variant.target.address;
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gregor-bench-kcat-'));
  const produce: WorkerResult[] = [];
  const consume: WorkerResult[] = [];
  try {
    for (let run = 0; run < config.runs; run++) {
      const value = Buffer.from(randomBytes(mulberry32(config.seed + run), config.recordBytes).map((b) => 0x41 + (b % 58)));
      const line = Buffer.concat([value, Buffer.from('\n')]);
      const file = path.join(dir, `records-${run}`);
      await fs.promises.writeFile(file, Buffer.concat(Array.from({ length: config.records }, () => line)));
      const stream = `bench-gregor-kcat-${variant.flush}-${run}`;
      await variant.admin.createStream(stream);
      try {
        progress(`run ${run + 1}/${config.runs}: kcat (${variant.flush}) produce and consume ${config.records} records`);
        const produced = await timedKcat(['-b', address, '-P', '-t', stream, '-X', 'acks=all', '-X', 'queue.buffering.max.messages=1000000'], file);
        if (produced.code !== 0) throw new Error(`kcat -P exited ${produced.code}: ${produced.stderr.slice(0, 500)}`);
        produce.push({ records: config.records, seconds: produced.seconds, bytes: config.records * config.recordBytes });
        const consumed = await timedKcat(['-b', address, '-C', '-t', stream, '-o', 'beginning', '-e', '-q', '-c', String(config.records), '-f', '%S\n'], null);
        const sizes = consumed.stdout.split('\n').filter((size) => size !== '');
        const bytes = sizes.reduce((sum, size) => sum + Number(size), 0);
        if (sizes.length !== config.records || bytes !== config.records * config.recordBytes) {
          throw new Error(`kcat -C read ${sizes.length} records of ${bytes} bytes, expected ${config.records} of ${config.records * config.recordBytes}`);
        }
        consume.push({ records: config.records, seconds: consumed.seconds, bytes: config.records * config.recordBytes });
      } finally {
        await variant.admin.deleteStream(stream);
        await fs.promises.rm(file, { force: true });
      }
    }
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  return { produce, consume };
}
