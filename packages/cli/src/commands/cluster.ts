import { Command } from 'commander';
import type { DescribeClusterResponse, RebalanceClusterResponse } from '@gregor/client';
import { OutputOptions, formatTable, outputOf, printJsonLines, withOutput } from '../options';
import { waitForMoves } from '../reassignment-progress';
import { parseThrottle } from './reassignment';
import { withAdmin } from './with-admin';

/** Each replica as id=lag (records behind the leader's high watermark), or id=unreachable. */
function replicaLags(partition: DescribeClusterResponse['partitions'][number]): string {
  return partition.replicaStates.map((r) => `${r.brokerId}=${r.role === 'unreachable' ? 'unreachable' : r.lag}`).join(' ');
}

function printCluster(d: DescribeClusterResponse): void {
  const controller = d.controllerId === 0 ? 'none (electing)' : `broker ${d.controllerId}`;
  const changing = d.controllersTarget.length > 0 ? ` (changing to ${d.controllersTarget.join(',')})` : '';
  process.stdout.write(`cluster ${d.clusterId}, controller ${controller}, controllers ${d.controllers.join(',')}${changing}\n`);
  process.stdout.write(
    formatTable(
      ['BROKER', 'ADDRESS', 'STATUS', 'RACK', 'REPLICAS'],
      [...d.brokers].sort((a, b) => a.id - b.id).map((b) => [b.id, `${b.host}:${b.port}`, b.state || (b.alive ? 'alive' : 'dead'), b.rack || '-', b.replicas]),
    ),
  );
  process.stdout.write('\n');
  process.stdout.write(
    formatTable(
      ['TOPIC', 'PARTITION', 'LEADER', 'REPLICAS', 'HIGH-WATERMARK', 'LAG'],
      d.partitions.map((p) => [p.topic, p.partition, p.leader === 0 ? 'none' : p.leader, p.replicas.join(','), p.highWatermark, replicaLags(p)]),
    ),
  );
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function printPlan(plan: RebalanceClusterResponse, dryRun: boolean): void {
  if (plan.moves.length === 0) {
    process.stdout.write('the cluster is balanced: nothing to move\n');
    return;
  }
  process.stdout.write(`${dryRun ? 'would move' : 'moving'} ${plan.moves.length} partition(s)\n`);
  process.stdout.write(
    formatTable(
      ['TOPIC', 'PARTITION', 'FROM', 'TO'],
      plan.moves.map((m) => [m.topic, m.partition, m.from.join(','), m.to.join(',')]),
    ),
  );
  process.stdout.write('\n');
  const after = new Map(plan.after.map((l) => [l.brokerId, l]));
  process.stdout.write(
    formatTable(
      ['BROKER', 'REPLICAS', 'LEADERS', 'BYTES'],
      [...plan.before].sort((a, b) => a.brokerId - b.brokerId).map((b) => {
        const a = after.get(b.brokerId)!;
        return [b.brokerId, `${b.replicas} -> ${a.replicas}`, `${b.leaders} -> ${a.leaders}`, `${mib(b.bytes)} -> ${mib(a.bytes)}`];
      }),
    ),
  );
}

export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('the brokers of the cluster and the state of every partition');

  withOutput(cluster.command('describe'))
    .description('brokers (alive or not), the controller, and per partition its leader, replicas, high watermark and each replica\'s lag')
    .action(async (opts: OutputOptions, cmd: Command) => {
      const description = await withAdmin(cmd, (admin) => admin.describeCluster());
      if (outputOf(opts) === 'json') printJsonLines([description]);
      else printCluster(description);
    });

  withOutput(cluster.command('rebalance'))
    .description('even out replicas (by count, then bytes) and preferred leaders over the brokers, keeping a partition\'s replicas on distinct racks where it can')
    .option('--dry-run', 'show the plan and each broker\'s load before and after, and move nothing')
    .option('--throttle <MB/s>', 'cap on catch-up traffic to the new replicas', parseThrottle, 0)
    .option('--wait', 'show the moves\' progress until they end')
    .action(async (opts: OutputOptions & { dryRun?: boolean; throttle: number; wait?: boolean }, cmd: Command) => {
      const dryRun = opts.dryRun === true;
      await withAdmin(cmd, async (admin) => {
        const plan = await admin.rebalanceCluster({ dryRun, throttleMbPerSec: opts.throttle });
        if (outputOf(opts) === 'json') printJsonLines([plan]);
        else printPlan(plan, dryRun);
        if (!opts.wait || !plan.started) return;
        const moving = (m: { topic: string; partition: number }) => plan.moves.some((x) => x.topic === m.topic && x.partition === m.partition);
        await waitForMoves(admin, outputOf(opts), moving, (moves) => moves.length === 0);
        if (outputOf(opts) !== 'json') process.stdout.write('rebalance done\n');
      });
    });

  return cluster;
}
