/**
 * Consumer-group figures on three local broker processes (RF 3):
 *   1. failover: from a member's SIGKILL to every partition it owned being consumed by another
 *      member, median of 10, with the default 10 s session timeout and with 3 s;
 *   2. join: from an eleventh member's subscribe to a stable group with every partition owned,
 *      in a 10-member group, eager (range) against cooperative (cooperative-sticky), median of 5;
 *   3. throughput: records per second a group of one and a group of six consume from a pre-filled
 *      topic once stable, alternated, median of 3, with their ratio.
 * Members in 1 and 3 are `gregor consume --group` processes; in 2, SDK consumers in this process.
 *
 *   npm run bench:groups [-- --only failover,join,throughput]
 */
import { spawn } from 'child_process';
import { Admin, Consumer, Producer, cooperativeStickyAssignor, rangeAssignor, type Assignor } from '@gregor/client';
import { CLI_MAIN, GroupMemberProcess, LocalCluster, startCluster, waitFor } from '@gregor/testkit';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function groupStable(admin: Admin, group: string, members: number, partitions: number): Promise<boolean> {
  const [d] = await admin.describeGroups([group]).catch(() => [null]);
  if (!d || d.state !== 'Stable' || d.members.length !== members) return false;
  const owned = d.members.flatMap((m) => m.assigned.flatMap((tp) => tp.partitions));
  return owned.length === partitions && new Set(owned).size === partitions;
}

async function createTopic(admin: Admin, name: string, partitions: number): Promise<void> {
  await waitFor(() => admin.createTopic(name, { partitions, replicationFactor: 3 }).catch(() => null), 30_000, `topic ${name}`);
}

/** Records flow into every partition all the time, so a partition is "consumed again" as soon as someone reads it. */
function steadyProducer(bootstrap: string, topic: string): { stop(): Promise<void> } {
  const producer = new Producer({ brokers: bootstrap, lingerMs: 5 });
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      await Promise.all(Array.from({ length: 12 }, (_, p) => producer.send(topic, { value: String(n), partition: p % 6 })));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await producer.close();
    },
  };
}

async function failover(cluster: LocalCluster, admin: Admin, sessionMs: number | null, rounds: number): Promise<number[]> {
  const topic = `failover-${sessionMs ?? 'default'}`;
  const group = `${topic}-g`;
  await createTopic(admin, topic, 6);
  const producer = steadyProducer(cluster.bootstrap, topic);
  let ids = 0;
  const start = () => {
    const clientId = `m${++ids}`;
    const flags = ['--client-id', clientId, ...(sessionMs === null ? [] : ['--session-timeout', String(sessionMs)])];
    return Object.assign(new GroupMemberProcess({ brokers: cluster.bootstrap, topic, group, flags }), { clientId });
  };
  const live = [start(), start(), start()];
  const times: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      await waitFor(() => groupStable(admin, group, live.length, 6), 120_000, 'a stable group', 20);
      const [d] = await admin.describeGroups([group]);
      const victim = live.shift()!;
      const owned = d.members.find((m) => m.clientId === victim.clientId)!.assigned.flatMap((tp) => tp.partitions);
      const seen = live.map((m) => m.processed.length);
      const killedAt = Date.now();
      await victim.stop('SIGKILL');
      const consumedAt = await waitFor(
        () => {
          const later = live.flatMap((m, i) => m.processed.slice(seen[i]));
          const firsts = owned.map((p) => later.find((r) => r.partition === p)?.receivedAt);
          return firsts.every((t) => t !== undefined) ? Math.max(...(firsts as number[])) : null;
        },
        120_000,
        'the killed member partitions consumed again',
        10,
      );
      times.push(consumedAt - killedAt);
      console.log(`  failover round ${round + 1}: ${consumedAt - killedAt} ms`);
      live.push(start());
    }
  } finally {
    await Promise.all(live.map((m) => m.stop('SIGKILL')));
    await producer.stop();
  }
  return times;
}

async function joinRebalance(cluster: LocalCluster, admin: Admin, assignor: Assignor, round: number): Promise<number> {
  const topic = `join-${assignor.name}-${round}`;
  const group = `${topic}-g`;
  const partitions = 22;
  await createTopic(admin, topic, partitions);
  const consumers: Consumer[] = [];
  const join = () => {
    const c = new Consumer({ brokers: cluster.bootstrap, groupId: group, assignors: [assignor], sessionTimeoutMs: 10_000 });
    c.subscribe([topic]);
    void (async () => {
      for await (const _ of c.batches());
    })();
    consumers.push(c);
  };
  try {
    for (let i = 0; i < 10; i++) join();
    await waitFor(() => groupStable(admin, group, 10, partitions), 120_000, 'ten members stable', 20);
    const started = Date.now();
    join();
    await waitFor(() => groupStable(admin, group, 11, partitions), 120_000, 'eleven members stable', 5);
    return Date.now() - started;
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
  }
}

async function fill(cluster: LocalCluster, topic: string, perPartition: number): Promise<void> {
  const producer = new Producer({ brokers: cluster.bootstrap, lingerMs: 10 });
  const value = Buffer.alloc(200, 'x');
  for (let i = 0; i < perPartition; i += 500) {
    await Promise.all(Array.from({ length: 6 * 500 }, (_, j) => producer.send(topic, { value, partition: j % 6 })));
  }
  await producer.close();
}

/**
 * Records per second a group of `members` consumes, from the moment it is stable with every
 * partition owned (so the joins' rebalances are not counted) until its committed offsets reach
 * the end of every partition.
 */
async function drainRate(cluster: LocalCluster, admin: Admin, topic: string, group: string, members: number): Promise<number> {
  const ends = new Map((await admin.listOffsets(topic, 'latest')).map((p) => [p.partition, p.highWatermark]));
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const committedSum = async () => (await admin.fetchOffsets(group, topic).catch(() => [])).reduce((sum, c) => sum + c.offset, 0);
  const children = Array.from({ length: members }, () =>
    spawn(process.execPath, [CLI_MAIN, '--broker', cluster.bootstrap, 'consume', topic, '--group', group, '--from-beginning'], { stdio: 'ignore' }),
  );
  try {
    await waitFor(() => groupStable(admin, group, members, ends.size), 120_000, `${group} stable`, 20);
    const started = Date.now();
    const startedAt = await committedSum();
    await waitFor(async () => ((await committedSum()) >= total ? true : null), 600_000, `${group} drained`, 100);
    return (total - startedAt) / ((Date.now() - started) / 1000);
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const onlyAt = process.argv.indexOf('--only');
  const only = new Set(onlyAt >= 0 ? process.argv[onlyAt + 1].split(',') : ['failover', 'join', 'throughput']);
  const cluster = await startCluster({ brokers: 3, config: { 'offsets-topic-partitions': 3 } });
  const admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 10_000 });
  const lines: string[] = [];
  try {
    await waitFor(async () => (await admin.describeCluster()).brokers.filter((b) => b.alive).length === 3 || null, 30_000, 'three live brokers');
    if (only.has('failover')) {
      for (const session of [null, 3000]) {
        const times = await failover(cluster, admin, session, 10);
        lines.push(`failover, session timeout ${session ?? 10000} ms: median ${median(times)} ms over 10 (min ${Math.min(...times)}, max ${Math.max(...times)})`);
      }
    }
    if (only.has('join')) {
      const eager: number[] = [];
      const cooperative: number[] = [];
      for (let round = 0; round < 5; round++) {
        eager.push(await joinRebalance(cluster, admin, rangeAssignor, round));
        cooperative.push(await joinRebalance(cluster, admin, cooperativeStickyAssignor, round));
      }
      lines.push(`join into 10 members, until stable and fully owned: eager (range) median ${median(eager)} ms, cooperative-sticky median ${median(cooperative)} ms (5 alternated rounds)`);
    }
    if (only.has('throughput')) {
      const one: number[] = [];
      const six: number[] = [];
      const perPartition = 200_000;
      await createTopic(admin, 'throughput', 6);
      await fill(cluster, 'throughput', perPartition);
      for (let round = 0; round < 3; round++) {
        one.push(await drainRate(cluster, admin, 'throughput', `one-${round}`, 1));
        six.push(await drainRate(cluster, admin, 'throughput', `six-${round}`, 6));
      }
      lines.push(
        `consume ${perPartition * 6} records of 200 B, from a stable group to committed at the end: one member median ${median(one).toFixed(0)} rec/s, six members ${median(six).toFixed(0)} rec/s, ratio six/one ${(median(six) / median(one)).toFixed(2)} (3 alternated rounds)`,
      );
    }
  } finally {
    admin.close();
    await cluster.cleanup();
  }
  for (const line of lines) console.log(line);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
