import { Gauge, type Registry } from 'prom-client';
import type { BrokerContext } from '../context';
import { gatherReplicaStates } from '../services/cluster-status';

function key(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * Each group's lag per partition, reported by its coordinator: the partition's high watermark
 * less the group's committed offset. High watermarks of partitions led elsewhere are asked of
 * the other brokers, only when some group needs one.
 */
export function groupLagGauge(ctx: BrokerContext, registers: Registry[]): void {
  const lag: Gauge<'group' | 'topic' | 'partition'> = new Gauge({
    name: 'gregor_consumer_group_lag',
    help: "Records a group has yet to commit past: the partition's high watermark less the group's committed offset",
    labelNames: ['group', 'topic', 'partition'],
    registers,
    async collect() {
      lag.reset();
      let commits;
      try {
        commits = await ctx.groups.committedHere();
      } catch {
        return;
      }
      const highWatermarks = new Map<string, number>();
      const elsewhere = commits.filter((c) => {
        try {
          const replica = ctx.topics.partition(c.topic, c.partition);
          if (!replica.replication.isLeader) return true;
          highWatermarks.set(key(c.topic, c.partition), replica.highWatermark);
          return false;
        } catch {
          return true;
        }
      });
      if (elsewhere.length > 0) {
        for (const state of await gatherReplicaStates(ctx)) if (state.role === 'leader') highWatermarks.set(key(state.topic, state.partition), state.highWatermark);
      }
      for (const c of commits) {
        const highWatermark = highWatermarks.get(key(c.topic, c.partition));
        if (highWatermark !== undefined) lag.set({ group: c.group, topic: c.topic, partition: String(c.partition) }, Math.max(0, highWatermark - c.offset));
      }
    },
  });
}
