import { Command } from 'commander';
import { ASSIGNORS, Cluster, Consumer, ConsumerRecord, GregorError, SeekTarget, type Assignor } from '@gregor/client';
import { brokersOf, parseInteger, parseTime } from '../options';
import { whenParentExits } from '../parent-watch';
import { Progress } from '../progress';

interface ConsumeOptions {
  fromBeginning?: boolean;
  offset?: number;
  fromTime?: number;
  partition?: number;
  group?: string;
  max?: number;
  format: 'json' | 'value';
  clientId?: string;
  sessionTimeout?: number;
  groupInstanceId?: string;
  assignor: string;
}

function assignorsNamed(list: string): Assignor[] {
  return list.split(',').map((name) => {
    const assignor = ASSIGNORS.get(name.trim());
    if (!assignor) throw GregorError.invalid(`unknown assignor ${JSON.stringify(name)}: use ${[...ASSIGNORS.keys()].join(', ')}`);
    return assignor;
  });
}

/** A group member shares the topic's partitions with the group's other members; naming a partition or a start position reads on its own. */
function joinsGroup(opts: ConsumeOptions): boolean {
  return opts.group !== undefined && opts.partition === undefined && explicitStart(opts) === undefined;
}

/** How often a --group consumer commits while reading. */
const COMMIT_INTERVAL_MS = 1000;

function nullableText(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

function formatRecord(r: ConsumerRecord, format: ConsumeOptions['format']): string {
  if (format === 'value') return (nullableText(r.value) ?? '') + '\n';
  return (
    JSON.stringify({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: nullableText(r.key),
      value: nullableText(r.value),
      headers: Object.fromEntries(r.headers.map((h) => [h.key, nullableText(h.value)])),
    }) + '\n'
  );
}

/** An explicit start position, or undefined to use the group's committed offsets / the default. */
function explicitStart(opts: ConsumeOptions): SeekTarget | undefined {
  if (opts.offset !== undefined) return opts.offset;
  if (opts.fromTime !== undefined) return { timestamp: opts.fromTime };
  return undefined;
}

export function consumeCommand(): Command {
  return new Command('consume')
    .argument('<topic>')
    .description('print records of a topic, live or from history')
    .option('--from-beginning', 'start at the earliest offset (a group\'s committed offset still wins)')
    .option('--offset <n>', 'start at this offset (use with --partition for multi-partition topics)', parseInteger(0))
    .option('--from-time <time>', 'start at the first record at or after this time (ms or ISO 8601)', parseTime)
    .option('-p, --partition <n>', 'read only this partition', parseInteger(0))
    .option('-g, --group <id>', 'join this consumer group: its members share the partitions, and it commits what was printed')
    .option('--client-id <id>', 'the client id the group shows for this member')
    .option('--session-timeout <ms>', 'group session timeout: a member silent this long loses its partitions', parseInteger(1))
    .option('--group-instance-id <id>', 'static membership: restarted within the session timeout, it gets its partitions back with no rebalance')
    .option('--assignor <names>', 'partition assignors in order of preference: range, roundrobin, cooperative-sticky', 'range,cooperative-sticky')
    .option('-n, --max <n>', 'exit after this many records', parseInteger(1))
    .option('--format <format>', 'json (one object per line) or value (the value as text)', 'value')
    .action(async (topic: string, opts: ConsumeOptions, cmd: Command) => {
      if (opts.format !== 'json' && opts.format !== 'value') throw new Error('--format must be json or value');
      // Owned here, so the final commit still works after a signal closed the consumer.
      const cluster = new Cluster({ brokers: brokersOf(cmd) });
      const member = joinsGroup(opts);
      const consumer = new Consumer({
        cluster,
        groupId: opts.group,
        clientId: opts.clientId,
        sessionTimeoutMs: opts.sessionTimeout,
        groupInstanceId: opts.groupInstanceId,
        assignors: assignorsNamed(opts.assignor),
        autoCommitIntervalMs: COMMIT_INTERVAL_MS,
        // An offset the user named and the log does not hold is an error (OUT_OF_RANGE naming the
        // log's start and end), not a silent jump to the end.
        autoOffsetReset: opts.offset !== undefined ? 'none' : opts.fromBeginning ? 'earliest' : 'latest',
      });
      const progress = new Progress('consumed');
      let count = 0;
      let lastCommit = Date.now();
      let commitTimer: NodeJS.Timeout | undefined;
      let stopped = (): void => undefined;
      const stopping = new Promise<void>((resolve) => (stopped = resolve));
      const stop = (): void => {
        // A member commits what it printed and leaves the group as it closes.
        void consumer.close().finally(stopped);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const unwatch = whenParentExits(stop);
      try {
        if (member) consumer.subscribe([topic]);
        else if (opts.partition !== undefined) await consumer.assign([{ topic, partition: opts.partition }]);
        else await consumer.assignTopic(topic);
        const start = explicitStart(opts);
        if (start !== undefined) for (const tp of consumer.assignment()) await consumer.seek(tp, start);
        if (opts.group && !member) {
          // Commit quiet periods too, so the group's lag is current.
          commitTimer = setInterval(() => void consumer.commit().catch(() => undefined), COMMIT_INTERVAL_MS);
          commitTimer.unref();
        }
        for await (const record of consumer) {
          const line = formatRecord(record, opts.format);
          // A reader that stopped reading must not keep a stopped consumer waiting.
          if (!process.stdout.write(line)) await Promise.race([new Promise((resolve) => process.stdout.once('drain', resolve)), stopping]);
          progress.add(1, record.value?.length ?? 0);
          if (opts.group && !member && Date.now() - lastCommit >= COMMIT_INTERVAL_MS) {
            lastCommit = Date.now();
            await consumer.commit();
          }
          if (opts.max !== undefined && ++count >= opts.max) break;
        }
        if (opts.group && !member) await consumer.commit();
      } finally {
        clearInterval(commitTimer);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        unwatch();
        progress.finish();
        await consumer.close();
        cluster.close();
      }
    });
}
