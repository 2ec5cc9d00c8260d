import * as fs from 'fs';
import * as readline from 'readline';
import { Command } from 'commander';
import { COMPRESSION_NAMES, type CompressionName, Producer, ProducerRecord } from '@gregor/client';
import { brokersOf, parseInteger } from '../options';
import { Progress } from '../progress';

interface ProduceOptions {
  key?: string;
  keySeparator?: string;
  partition?: number;
  file?: string;
  lingerMs: number;
  compression: CompressionName;
  acks: 'all' | 'leader';
}

/** Lines are sent in chunks; this many chunks may await acknowledgement at once. */
const CHUNK_RECORDS = 1000;
const MAX_CHUNKS_IN_FLIGHT = 64;

function toRecord(line: string, opts: ProduceOptions): ProducerRecord {
  let key: string | null = opts.key ?? null;
  let value = line;
  if (opts.keySeparator !== undefined) {
    const at = line.indexOf(opts.keySeparator);
    if (at >= 0) {
      key = line.slice(0, at);
      value = line.slice(at + opts.keySeparator.length);
    }
  }
  return { key, value, partition: opts.partition };
}

export function produceCommand(): Command {
  return new Command('produce')
    .argument('<topic>')
    .description('send one record per input line (stdin, or --file)')
    .option('-k, --key <key>', 'key for every record (default: none: keyless records fill one partition\'s batch, then the next batch goes to another partition, as in Kafka)')
    .option('--key-separator <sep>', 'take each line\'s key from before the first <sep>')
    .option('-p, --partition <n>', 'send every record to this partition', parseInteger(0))
    .option('-f, --file <path>', 'read lines from a file instead of stdin')
    .option('--linger-ms <ms>', 'batching delay', parseInteger(0), 5)
    .option('--compression <codec>', COMPRESSION_NAMES.join(', '), 'none')
    .option('--acks <acks>', 'all (a majority of replicas hold each batch) or leader (the leader alone)', 'all')
    .action(async (topic: string, opts: ProduceOptions, cmd: Command) => {
      if (!COMPRESSION_NAMES.includes(opts.compression)) throw new Error(`--compression must be one of ${COMPRESSION_NAMES.join(', ')}`);
      if (opts.acks !== 'all' && opts.acks !== 'leader') throw new Error('--acks must be all or leader');
      const producer = new Producer({ brokers: brokersOf(cmd), lingerMs: opts.lingerMs, compression: opts.compression, acks: opts.acks });
      const input = opts.file ? fs.createReadStream(opts.file) : process.stdin;
      const lines = readline.createInterface({ input, crlfDelay: Infinity });
      const progress = new Progress('produced');
      const inFlight = new Set<Promise<void>>();
      let failure: unknown = null;
      let total = 0;
      let chunk: ProducerRecord[] = [];
      let chunkBytes = 0;
      const sendChunk = (): void => {
        const records = chunk;
        const bytes = chunkBytes;
        chunk = [];
        chunkBytes = 0;
        const sent: Promise<void> = producer.send(topic, records).then(
          () => progress.add(records.length, bytes),
          (err: unknown) => {
            failure ??= err;
          },
        );
        const tracked = sent.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      };
      try {
        for await (const line of lines) {
          if (failure) break;
          chunk.push(toRecord(line, opts));
          chunkBytes += Buffer.byteLength(line);
          total++;
          if (chunk.length >= CHUNK_RECORDS) sendChunk();
          while (inFlight.size >= MAX_CHUNKS_IN_FLIGHT) await Promise.race(inFlight);
        }
        if (chunk.length > 0 && !failure) sendChunk();
        await Promise.all(inFlight);
        await producer.flush();
      } finally {
        lines.close();
        progress.finish();
        await producer.close();
      }
      if (failure) throw failure;
      process.stderr.write(`produced ${total} record(s) to ${topic}\n`);
    });
}
