import { Command } from 'commander';
import type { TopicDescription } from '@gregor/client';
import { collect, collectPairs, formatTable, parseInteger } from '../options';
import { withAdmin } from './with-admin';

function printDescription(d: TopicDescription, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(d) + '\n');
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

  topic
    .command('create <name>')
    .description('create a topic')
    .option('-p, --partitions <n>', 'number of partitions (default: the broker\'s)', parseInteger(1))
    .option('-r, --replication-factor <n>', 'replicas per partition (default: the broker\'s, at most the live brokers)', parseInteger(1))
    .option('-c, --config <key=value>', 'topic config, repeatable (e.g. retention.ms=3600000)', collectPairs, {})
    .action(async (name: string, opts: { partitions?: number; replicationFactor?: number; config: Record<string, string> }, cmd: Command) => {
      const d = await withAdmin(cmd, (admin) =>
        admin.createTopic(name, { partitions: opts.partitions, replicationFactor: opts.replicationFactor, configs: opts.config }),
      );
      const replicas = Math.max(0, ...d.partitions.map((p) => p.replicas.length));
      process.stdout.write(`created topic ${d.name} with ${d.partitions.length} partition(s), ${replicas} replica(s) each\n`);
    });

  topic
    .command('list')
    .description('list topics')
    .option('--json', 'one JSON object per topic')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const topics = await withAdmin(cmd, (admin) => admin.listTopics());
      if (opts.json) topics.forEach((t) => process.stdout.write(JSON.stringify(t) + '\n'));
      else process.stdout.write(formatTable(['TOPIC', 'PARTITIONS'], topics.map((t) => [t.name, t.partitions])));
    });

  topic
    .command('describe <name>')
    .description('partitions, offsets and effective configs of a topic')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      printDescription(await withAdmin(cmd, (admin) => admin.describeTopic(name)), opts.json === true);
    });

  topic
    .command('alter <name>')
    .description('change topic configs')
    .option('-s, --set <key=value>', 'set a config, repeatable', collectPairs, {})
    .option('-r, --reset <key>', 'return a config to its default, repeatable', collect, [])
    .action(async (name: string, opts: { set: Record<string, string>; reset: string[] }, cmd: Command) => {
      printDescription(await withAdmin(cmd, (admin) => admin.alterTopicConfig(name, opts.set, opts.reset)), false);
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
