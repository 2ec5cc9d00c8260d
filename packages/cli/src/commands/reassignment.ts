import { Command, InvalidArgumentError } from 'commander';
import type { Admin, ReassignmentStatus } from '@gregor/client';
import { OutputFormat, OutputOptions, formatTable, outputOf, parseInteger, printJsonLines, withOutput } from '../options';
import { catchUpTable, catchUps, waitForMoves } from '../reassignment-progress';
import { withAdmin } from './with-admin';

/** `--replicas 4,2,3`: broker ids, the first the preferred leader. */
export function parseReplicas(raw: string): number[] {
  const ids = raw.split(',').map((p) => p.trim());
  if (ids.length === 0 || ids.some((id) => !/^\d+$/.test(id) || Number(id) < 1)) {
    throw new InvalidArgumentError(`expected broker ids as id,id,..., got ${JSON.stringify(raw)}`);
  }
  return ids.map(Number);
}

export function parseThrottle(raw: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(value)) throw new InvalidArgumentError(`expected MB/s as a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}

function state(move: ReassignmentStatus): string {
  if (move.cancelled) return 'cancelling';
  return move.learners.length > 0 ? 'catching-up' : 'moving';
}

function printMoves(moves: readonly ReassignmentStatus[]): void {
  process.stdout.write(
    formatTable(
      ['TOPIC', 'PARTITION', 'FROM', 'TO', 'STATE', 'LEADER', 'VOTERS', 'LEARNERS', 'THROTTLE'],
      moves.map((m) => [
        m.topic,
        m.partition,
        m.replicas.join(','),
        m.target.join(','),
        state(m),
        m.leader || 'none',
        m.voters.join(',') || '-',
        m.learners.join(',') || '-',
        m.throttleMbPerSec > 0 ? `${m.throttleMbPerSec} MB/s` : '-',
      ]),
    ),
  );
}

interface WaitOptions extends OutputOptions {
  wait?: boolean;
}

export function reassignmentCommand(): Command {
  const reassignment = new Command('reassignment').description('move partitions between brokers, and follow the moves');

  withOutput(reassignment.command('start <topic> <partition>'))
    .description('move a partition to a new replica list through Raft: new replicas catch up as learners, become voters, then the old ones leave')
    .requiredOption('--replicas <ids>', 'the target replica list, e.g. 4,2,3 (the first is the preferred leader)', parseReplicas)
    .option('--throttle <MB/s>', 'cap on catch-up traffic to the new replicas', parseThrottle, 0)
    .option('--wait', 'show progress until the move ends')
    .action(async (topic: string, partitionRaw: string, opts: WaitOptions & { replicas: number[]; throttle: number }, cmd: Command) => {
      const partition = parseInteger(0)(partitionRaw);
      await withAdmin(cmd, async (admin) => {
        await admin.reassignPartitions([{ topic, partition, replicas: opts.replicas }], opts.throttle);
        if (outputOf(opts) !== 'json') process.stdout.write(`moving ${topic}-${partition} to [${opts.replicas.join(',')}]\n`);
        if (opts.wait) await waitUntilMoved(admin, outputOf(opts), topic, partition);
      });
    });

  withOutput(reassignment.command('cancel <topic> <partition>'))
    .description('move a partition back to the replicas its move started from')
    .option('--wait', 'show progress until it is back')
    .action(async (topic: string, partitionRaw: string, opts: WaitOptions, cmd: Command) => {
      const partition = parseInteger(0)(partitionRaw);
      await withAdmin(cmd, async (admin) => {
        await admin.cancelReassignment(topic, partition);
        if (outputOf(opts) !== 'json') process.stdout.write(`cancelling the move of ${topic}-${partition}\n`);
        if (opts.wait) await waitUntilMoved(admin, outputOf(opts), topic, partition);
      });
    });

  withOutput(reassignment.command('list'))
    .description('moves in progress: from, to, state, and the Raft group as its leader reports it')
    .action(async (opts: OutputOptions, cmd: Command) => {
      const { reassignments } = await withAdmin(cmd, (admin) => admin.listReassignments());
      if (outputOf(opts) === 'json') printJsonLines(reassignments);
      else printMoves(reassignments);
    });

  withOutput(reassignment.command('describe [topic] [partition]'))
    .description('each replica a move adds: bytes caught up of the leader\'s, with --wait also rate and ETA')
    .option('--wait', 'keep showing progress until the moves end')
    .action(async (topic: string | undefined, partitionRaw: string | undefined, opts: WaitOptions, cmd: Command) => {
      const partition = partitionRaw === undefined ? undefined : parseInteger(0)(partitionRaw);
      const relevant = (m: ReassignmentStatus): boolean => (topic === undefined || m.topic === topic) && (partition === undefined || m.partition === partition);
      await withAdmin(cmd, async (admin) => {
        if (opts.wait) return waitForMoves(admin, outputOf(opts), relevant, (moves) => moves.length === 0);
        const rows = catchUps((await admin.listReassignments()).reassignments.filter(relevant), new Map(), Date.now());
        if (outputOf(opts) === 'json') printJsonLines(rows);
        else process.stdout.write(catchUpTable(rows));
      });
    });

  return reassignment;
}

function waitUntilMoved(admin: Admin, format: OutputFormat, topic: string, partition: number): Promise<void> {
  const relevant = (m: ReassignmentStatus): boolean => m.topic === topic && m.partition === partition;
  return waitForMoves(admin, format, relevant, async (moves) => {
    if (moves.length > 0) return false;
    const replicas = (await admin.describeCluster()).partitions.find((p) => p.topic === topic && p.partition === partition)?.replicas ?? [];
    if (format !== 'json') process.stdout.write(`${topic}-${partition} now on [${replicas.join(',')}]\n`);
    return true;
  });
}
