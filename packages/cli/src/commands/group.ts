import { Command } from 'commander';
import { GregorError } from '@gregor/client';
import { OutputOptions, formatTable, outputOf, printJsonLines, withOutput } from '../options';
import { withAdmin } from './with-admin';

export function groupCommand(): Command {
  const group = new Command('group').description('consumer groups and their committed offsets');

  withOutput(group.command('list'))
    .description('groups that have committed offsets')
    .action(async (opts: OutputOptions, cmd: Command) => {
      const groups = await withAdmin(cmd, (admin) => admin.listGroups());
      if (outputOf(opts) === 'json') printJsonLines(groups);
      else process.stdout.write(formatTable(['GROUP', 'STATE', 'PROTOCOL TYPE'], groups.map((g) => [g.group, g.state, g.protocolType])));
    });

  withOutput(group.command('describe <group>'))
    .description('committed offset, end offset and lag per partition')
    .action(async (groupId: string, opts: OutputOptions, cmd: Command) => {
      const rows = await withAdmin(cmd, async (admin) => {
        const committed = await admin.fetchOffsets(groupId);
        // A group exists once it has committed; an empty table would hide a typo.
        if (committed.length === 0) throw GregorError.notFound(`unknown group ${JSON.stringify(groupId)}: it has committed no offsets`);
        const ends = new Map<string, number>();
        for (const topic of new Set(committed.map((c) => c.topic))) {
          for (const p of await admin.listOffsets(topic, 'latest')) ends.set(`${topic}/${p.partition}`, p.highWatermark);
        }
        return committed
          .map((c) => {
            const end = ends.get(`${c.topic}/${c.partition}`) ?? c.offset;
            return { topic: c.topic, partition: c.partition, committed: c.offset, end, lag: Math.max(0, end - c.offset) };
          })
          .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
      });
      if (outputOf(opts) === 'json') return printJsonLines(rows.map((r) => ({ group: groupId, ...r })));
      process.stdout.write(
        formatTable(['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'], rows.map((r) => [r.topic, r.partition, r.committed, r.end, r.lag])),
      );
    });

  return group;
}
