import { Command } from 'commander';
import type { DescribeClusterResponse } from '@gregor/client';
import { OutputOptions, formatTable, outputOf, printJsonLines, withOutput } from '../options';
import { withAdmin } from './with-admin';

/** Each replica as id=lag (records behind the leader's high watermark), or id=unreachable. */
function replicaLags(partition: DescribeClusterResponse['partitions'][number]): string {
  return partition.replicaStates.map((r) => `${r.brokerId}=${r.role === 'unreachable' ? 'unreachable' : r.lag}`).join(' ');
}

function printCluster(d: DescribeClusterResponse): void {
  const controller = d.controllerId === 0 ? 'none (electing)' : `broker ${d.controllerId}`;
  process.stdout.write(`cluster ${d.clusterId}, controller ${controller}, controllers ${d.controllers.join(',')}\n`);
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

export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('the brokers of the cluster and the state of every partition');

  withOutput(cluster.command('describe'))
    .description('brokers (alive or not), the controller, and per partition its leader, replicas, high watermark and each replica\'s lag')
    .action(async (opts: OutputOptions, cmd: Command) => {
      const description = await withAdmin(cmd, (admin) => admin.describeCluster());
      if (outputOf(opts) === 'json') printJsonLines([description]);
      else printCluster(description);
    });

  return cluster;
}
