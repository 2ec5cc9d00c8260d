import { Command } from 'commander';
import { Admin, GregorError } from '@gregor/client';
import { OutputOptions, formatTable, outputOf, parseInteger, parseTime, printJsonLines, withOutput } from '../options';
import { namingLiveMembers, refuseLiveMembers } from '../groups/live-members';
import { ResetMode, ResetModeOptions, newOffset, resetModeOf } from '../groups/reset-plan';
import { withAdmin } from './with-admin';

interface ResetOptions extends OutputOptions, ResetModeOptions {
  topic: string;
  partitions?: number[];
  dryRun?: boolean;
  execute?: boolean;
}

interface PlannedReset {
  topic: string;
  partition: number;
  current: number | null;
  new: number;
}

const ACTION = 'reset its offsets';

function parsePartitionList(raw: string): number[] {
  const parse = parseInteger(0, 2 ** 31 - 1);
  const partitions = raw.split(',').map((p) => parse(p.trim()));
  return [...new Set(partitions)].sort((a, b) => a - b);
}

/** The partitions asked for, all of the topic by default; NOT_FOUND for an unknown topic or partition. */
async function partitionsOf(admin: Admin, topic: string, asked: number[] | undefined): Promise<number[]> {
  const count = await admin.cluster.partitionCount(topic);
  const missing = (asked ?? []).filter((p) => p >= count);
  if (missing.length > 0) throw GregorError.notFound(`unknown partition(s) ${missing.join(',')} of topic ${JSON.stringify(topic)} (it has ${count})`);
  return asked ?? Array.from({ length: count }, (_, p) => p);
}

async function plan(admin: Admin, group: string, topic: string, asked: number[] | undefined, mode: ResetMode): Promise<PlannedReset[]> {
  const partitions = await partitionsOf(admin, topic, asked);
  const [bounds, atTime, committed] = await Promise.all([
    admin.listOffsets(topic, 'latest', partitions),
    mode.kind === 'datetime' ? admin.listOffsets(topic, { timestamp: mode.time }, partitions) : Promise.resolve([]),
    admin.fetchOffsets(group, topic),
  ]);
  const current = new Map(committed.map((c) => [c.partition, c.offset]));
  return bounds.map((b, i) => {
    const state = { topic, partition: b.partition, current: current.get(b.partition) ?? null, logStart: b.logStartOffset, end: b.highWatermark, atTime: atTime[i]?.offset };
    return { topic, partition: b.partition, current: state.current, new: newOffset(mode, state) };
  });
}

async function reset(admin: Admin, group: string, opts: ResetOptions, mode: ResetMode): Promise<PlannedReset[]> {
  // Kafka's tool refuses a dry run too: a live member would move the offsets the plan starts from.
  await refuseLiveMembers(admin, group, ACTION);
  const planned = await plan(admin, group, opts.topic, opts.partitions, mode);
  if (opts.execute) {
    const offsets = planned.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.new }));
    await namingLiveMembers(admin, group, ACTION, () => admin.commitOffsets(group, offsets));
  }
  return planned;
}

export function groupResetOffsetsCommand(): Command {
  return withOutput(new Command('reset-offsets'))
    .argument('<group>')
    .description('move a group\'s committed offsets (a dry run printing the plan unless --execute); only while the group has no live members')
    .requiredOption('--topic <topic>', 'the topic whose offsets to reset')
    .option('--partitions <list>', 'only these partitions, comma-separated (default: all)', parsePartitionList)
    .option('--to-earliest', 'to the log start offset')
    .option('--to-latest', 'to the log end offset')
    .option('--to-datetime <time>', 'to the first offset at or after this time (ISO 8601 or ms since epoch); the end if none', parseTime)
    .option('--shift-by <n>', 'by n from the committed offset (negative moves back)', parseInteger(Number.MIN_SAFE_INTEGER))
    .option('--to-offset <n>', 'to offset n', parseInteger(0))
    .option('--dry-run', 'print the plan, commit nothing (the default)')
    .option('--execute', 'commit the plan')
    .action(async (group: string, opts: ResetOptions, cmd: Command) => {
      const mode = resetModeOf(opts);
      if (opts.dryRun && opts.execute) throw GregorError.invalid('--dry-run and --execute exclude each other');
      const planned = await withAdmin(cmd, (admin) => reset(admin, group, opts, mode));
      if (outputOf(opts) === 'json') return printJsonLines(planned.map((p) => ({ group, ...p, executed: Boolean(opts.execute) })));
      process.stdout.write(formatTable(['TOPIC', 'PARTITION', 'CURRENT', 'NEW'], planned.map((p) => [p.topic, p.partition, p.current ?? '-', p.new])));
      if (!opts.execute) process.stderr.write('dry run: nothing committed; add --execute to commit\n');
    });
}
