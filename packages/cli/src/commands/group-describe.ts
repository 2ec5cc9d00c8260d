import { Command } from 'commander';
import { Admin, GregorError, type GroupDescription } from '@gregor/client';
import { OutputOptions, formatTable, outputOf, printJsonLines, withOutput } from '../options';
import { PartitionLag, partitionKey, partitionLags } from '../groups/partition-lag';
import { withAdmin } from './with-admin';

interface DescribedGroup {
  description: GroupDescription;
  partitions: PartitionLag[];
}

/** Log end offsets of every partition of `topics`; a topic deleted since the group committed to it has none. */
async function endOffsets(admin: Admin, topics: Iterable<string>): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const topic of topics) {
    try {
      for (const p of await admin.listOffsets(topic, 'latest')) ends.set(partitionKey(topic, p.partition), p.highWatermark);
    } catch (err) {
      if (!(err instanceof GregorError) || err.code !== 'NOT_FOUND') throw err;
    }
  }
  return ends;
}

async function describe(admin: Admin, group: string): Promise<DescribedGroup> {
  const [[description], committed] = await Promise.all([admin.describeGroups([group]), admin.fetchOffsets(group)]);
  // The broker answers Dead for a group it has never seen; an empty description would hide a typo.
  if (description.state === 'Dead' && committed.length === 0) {
    throw GregorError.notFound(`unknown group ${JSON.stringify(group)}: it has no members and has committed no offsets`);
  }
  const topics = new Set([...committed.map((c) => c.topic), ...description.members.flatMap((m) => m.assigned.map((tp) => tp.topic))]);
  return { description, partitions: partitionLags(description, committed, await endOffsets(admin, topics)) };
}

const dash = (value: string | number | null): string | number => (value === null || value === '' ? '-' : value);

function printTable({ description: d, partitions }: DescribedGroup): void {
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

function toJson({ description: d, partitions }: DescribedGroup): object {
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
      const described = await withAdmin(cmd, (admin) => describe(admin, group));
      if (outputOf(opts) === 'json') printJsonLines([toJson(described)]);
      else printTable(described);
    });
}
