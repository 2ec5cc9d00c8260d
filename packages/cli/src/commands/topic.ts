import { Command } from 'commander';
import type { TopicDescription } from '@gregor/client';
import { OutputOptions, collect, collectPairs, formatTable, outputOf, parseInteger, printJsonLines, withOutput } from '../options';
import { withAdmin } from './with-admin';

function printDescription(d: TopicDescription, opts: OutputOptions): void {
  if (outputOf(opts) === 'json') {
    printJsonLines([d]);
    return;
  }
  process.stdout.write(`topic ${d.name} (id ${d.topicId}), ${d.partitions.length} partition(s)\n`);
  process.stdout.write(
    formatTable(
      ['PARTITION', 'LEADER', 'REPLICAS', 'LOG-START', 'HIGH-WATERMARK'],
      d.partitions.map((p) => [p.partition, p.leader, p.replicas.join(','), p.logStartOffset, p.highWatermark]),
    ),
  );
  process.stdout.write('configs:\n');
  for (const [key, value] of Object.entries(d.configs).sort()) process.stdout.write(`  ${key}=${value}\n`);
}

export function topicCommand(): Command {
  const topic = new Command('topic').description('create, list, describe, alter and delete topics');

  withOutput(topic.command('create <name>'))
    .description('create a topic (json output: its description)')
    .option('-p, --partitions <n>', 'number of partitions (default: the broker\'s)', parseInteger(1))
    .option('-r, --replication-factor <n>', 'replicas per partition (default: the broker\'s, at most the live brokers)', parseInteger(1))
    .option('-c, --config <key=value>', 'topic config, repeatable (e.g. retention.ms=3600000)', collectPairs, {})
    .action(async (name: string, opts: OutputOptions & { partitions?: number; replicationFactor?: number; config: Record<string, string> }, cmd: Command) => {
      const d = await withAdmin(cmd, (admin) =>
        admin.createTopic(name, { partitions: opts.partitions, replicationFactor: opts.replicationFactor, configs: opts.config }),
      );
      if (outputOf(opts) === 'json') return printJsonLines([d]);
      const replicas = Math.max(0, ...d.partitions.map((p) => p.replicas.length));
      process.stdout.write(`created topic ${d.name} with ${d.partitions.length} partition(s), ${replicas} replica(s) each\n`);
    });

  withOutput(topic.command('list'))
    .description('list topics')
    .action(async (opts: OutputOptions, cmd: Command) => {
      const topics = await withAdmin(cmd, (admin) => admin.listTopics());
      if (outputOf(opts) === 'json') printJsonLines(topics);
      else process.stdout.write(formatTable(['TOPIC', 'PARTITIONS'], topics.map((t) => [t.name, t.partitions])));
    });

  withOutput(topic.command('describe <name>'))
    .description('partitions, offsets and effective configs of a topic')
    .action(async (name: string, opts: OutputOptions, cmd: Command) => {
      printDescription(await withAdmin(cmd, (admin) => admin.describeTopic(name)), opts);
    });

  withOutput(topic.command('alter <name>'))
    .description('change topic configs (--set, --reset) or grow its partition count (--partitions); prints the topic as altered')
    .option('-s, --set <key=value>', 'set a config, repeatable', collectPairs, {})
    .option('-r, --reset <key>', 'return a config to its default, repeatable', collect, [])
    .option('-p, --partitions <n>', 'grow the topic to n partitions (only up; keyed records may then map to other partitions)', parseInteger(1))
    .action(async (name: string, opts: OutputOptions & { set: Record<string, string>; reset: string[]; partitions?: number }, cmd: Command) => {
      const configs = Object.keys(opts.set).length > 0 || opts.reset.length > 0;
      const d = await withAdmin(cmd, async (admin) => {
        let altered = opts.partitions !== undefined ? await admin.createPartitions(name, opts.partitions) : undefined;
        if (configs || !altered) altered = await admin.alterTopicConfig(name, opts.set, opts.reset);
        return altered;
      });
      printDescription(d, opts);
    });

  topic
    .command('delete <name>')
    .description('delete a topic and all its data')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await withAdmin(cmd, (admin) => admin.deleteTopic(name));
      process.stdout.write(`deleted topic ${name}\n`);
    });

  return topic;
}
