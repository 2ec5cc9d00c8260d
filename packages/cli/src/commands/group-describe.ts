import { Command } from 'commander';
import { describeGroupLag, type GroupLag } from '@gregor/client';
import { OutputOptions, formatTable, outputOf, printJsonLines, withOutput } from '../options';
import { withAdmin } from './with-admin';

const dash = (value: string | number | null): string | number => (value === null || value === '' ? '-' : value);

function printTable({ description: d, partitions }: GroupLag): void {
  const summary = formatTable(
    ['GROUP', 'STATE', 'GENERATION', 'PROTOCOL-TYPE', 'PROTOCOL', '#MEMBERS'],
    [[d.group, d.state, d.generation, dash(d.protocolType), dash(d.protocolName), d.members.length]],
  );
  const members = d.members.length === 0
    ? `Consumer group '${d.group}' has no active members.\n`
    : formatTable(
      ['CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'ASSIGNMENT'],
      d.members.map((m) => [
        m.memberId,
        dash(m.clientHost),
        dash(m.clientId),
        m.assigned.reduce((n, tp) => n + tp.partitions.length, 0),
        dash(m.assigned.map((tp) => `${tp.topic}(${tp.partitions.join(',')})`).join(' ')),
      ]),
    );
  const lags = formatTable(
    ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    partitions.map((p) => [p.topic, p.partition, dash(p.committed), dash(p.end), dash(p.lag), dash(p.memberId), dash(p.clientHost), dash(p.clientId)]),
  );
  process.stdout.write(`${summary}\n${members}\n${lags}`);
}

function toJson({ description: d, partitions }: GroupLag): object {
  return {
    group: d.group,
    state: d.state,
    generation: d.generation,
    protocolType: d.protocolType,
    protocol: d.protocolName,
    leader: d.leader,
    members: d.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, assigned: m.assigned })),
    partitions,
  };
}

export function groupDescribeCommand(): Command {
  return withOutput(new Command('describe'))
    .argument('<group>')
    .description('state, generation, protocol and members; per partition its committed offset, end offset, lag and owner')
    .action(async (group: string, opts: OutputOptions, cmd: Command) => {
      const described = await withAdmin(cmd, (admin) => describeGroupLag(admin, group));
      if (outputOf(opts) === 'json') printJsonLines([toJson(described)]);
      else printTable(described);
    });
}
