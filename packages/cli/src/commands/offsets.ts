import { Command } from 'commander';
import { OutputOptions, formatTable, outputOf, parseTime, printJsonLines, withOutput } from '../options';
import { withAdmin } from './with-admin';

export function offsetsCommand(): Command {
  return withOutput(new Command('offsets'))
    .argument('<topic>')
    .description('earliest and latest offset of each partition (and the offset at a time)')
    .option('-t, --time <time>', 'also the first offset at or after this time (ms or ISO 8601)', parseTime)
    .action(async (topic: string, opts: OutputOptions & { time?: number }, cmd: Command) => {
      const rows = await withAdmin(cmd, async (admin) => {
        const latest = await admin.listOffsets(topic, 'latest');
        const atTime = opts.time !== undefined ? await admin.listOffsets(topic, { timestamp: opts.time }) : [];
        return latest.map((p, i) => ({
          partition: p.partition,
          earliest: p.logStartOffset,
          latest: p.highWatermark,
          ...(opts.time !== undefined ? { atTime: atTime[i].offset } : {}),
        }));
      });
      if (outputOf(opts) === 'json') return printJsonLines(rows);
      const header = ['PARTITION', 'EARLIEST', 'LATEST', ...(opts.time !== undefined ? ['AT-TIME'] : [])];
      process.stdout.write(formatTable(header, rows.map((r) => [r.partition, r.earliest, r.latest, ...(r.atTime !== undefined ? [r.atTime] : [])])));
    });
}
