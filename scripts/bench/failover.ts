import { Admin, DescribeClusterResponse } from '@gregor/client';
import { waitFor } from '@gregor/testkit';
import { BenchConfig } from './config';
import { runWorker } from './spawn-worker';
import { sharedClockMs } from './task';
import { Variant } from './variants';

/** One leader kill. */
export interface FailoverRun {
  unavailableMs: number | null;
  maxAckGapMs: number;
  failedSends: number;
  killedBroker: number;
  /** The killed broker also led the cluster metadata, so the controller failed over too. */
  killedController: boolean;
}

const WARM_UP_MS = 1000;
/**
 * Sending goes on this long after produce resumed, past the time the
 * controller fences the dead broker, so the ack-gap also shows anything the
 * cluster does to itself after the failover (such as handing leadership
 * back to the preferred replica while it is still down).
 */
const SETTLE_MS = 8000;
const GIVE_UP_MS = 15_000;
const CATCH_UP_TIMEOUT_MS = 60_000;
const POLL_MS = 100;

/** Every broker heartbeating, every partition led, and every replica's log at its partition's high watermark. */
function caughtUp(state: DescribeClusterResponse, brokers: number, topic: string): boolean {
  return (
    state.brokers.length === brokers &&
    state.brokers.every((b) => b.alive) &&
    state.partitions.some((p) => p.topic === topic) &&
    state.partitions.every((p) => p.leader > 0 && p.replicaStates.every((r) => r.role !== 'unreachable' && r.lag === 0))
  );
}

/** Asks every broker, since each answers from its own view of the cluster metadata. */
function waitUntilCaughtUp(perBroker: readonly Admin[], topic: string): Promise<boolean> {
  const check = async (): Promise<boolean> => {
    const views = await Promise.all(perBroker.map((admin) => admin.describeCluster()));
    return views.every((state) => caughtUp(state, perBroker.length, topic));
  };
  return waitFor(check, CATCH_UP_TIMEOUT_MS, `every broker to see all brokers alive and caught up on ${topic}`, POLL_MS);
}

/**
 * The e2e.failover phase on a Gregor cluster: per run, a fresh one-partition
 * topic, a worker producing one small record every few ms with acks=all,
 * SIGKILL of the partition's leader once the worker sends steadily, and the
 * worker's account of when produce resumed. The killed broker is restarted
 * and the cluster waited on until it has caught up before the next run.
 */
export async function measureFailover(variant: Variant, config: BenchConfig, progress: (message: string) => void): Promise<FailoverRun[]> {
  const cluster = variant.cluster;
  if (!cluster) throw new Error(`${variant.system} has no cluster to fail over`);
  const admin = new Admin({ brokers: cluster.bootstrap });
  const perBroker = cluster.ids.map((id) => new Admin({ brokers: cluster.address(id) }));
  const runs: FailoverRun[] = [];
  try {
    for (let run = 0; run < config.failoverRuns; run++) {
      const stream = `bench-${variant.system}-${variant.flush}-failover-${run}`;
      await variant.admin.createStream(stream);
      await waitUntilCaughtUp(perBroker, stream);
      const kills: Array<{ broker: number; controller: boolean }> = [];
      const kill = async (): Promise<{ kind: 'killed'; atMs: number }> => {
        const state = await admin.describeCluster();
        const broker = state.partitions.find((p) => p.topic === stream && p.partition === 0)?.leader ?? 0;
        if (broker <= 0) throw new Error(`${stream} has no leader to kill`);
        kills.push({ broker, controller: broker === state.controllerId });
        const atMs = sharedClockMs();
        void cluster.kill(broker, 'SIGKILL');
        return { kind: 'killed', atMs };
      };
      const result = await runWorker(
        {
          kind: 'failover',
          target: variant.target,
          stream,
          intervalMs: config.failoverIntervalMs,
          recordBytes: config.failoverRecordBytes,
          warmUpMs: WARM_UP_MS,
          settleMs: SETTLE_MS,
          giveUpMs: GIVE_UP_MS,
          seed: config.seed + run,
        },
        config.workerTimeoutMs,
        { onReady: kill },
      );
      if (kills.length !== 1) throw new Error(`failover worker finished after ${kills.length} kills, not one`);
      const [{ broker, controller }] = kills;
      runs.push({
        unavailableMs: result.unavailableMs ?? null,
        maxAckGapMs: result.maxAckGapMs!,
        failedSends: result.failedSends ?? 0,
        killedBroker: broker,
        killedController: controller,
      });
      const shown = result.unavailableMs == null ? `not resumed within ${GIVE_UP_MS} ms` : `resumed after ${Math.round(result.unavailableMs)} ms`;
      const failures = result.failedSends ? `, ${result.failedSends} sends failed, first: ${result.firstFailure}` : '';
      progress(`failover ${run + 1}/${config.failoverRuns}: killed broker ${broker}${controller ? ' (also the controller)' : ''}, ${shown}, longest ack gap ${Math.round(result.maxAckGapMs!)} ms${failures}`);
      await cluster.start(broker);
      await waitUntilCaughtUp(perBroker, stream);
      await variant.admin.deleteStream(stream);
    }
  } finally {
    admin.close();
    for (const one of perBroker) one.close();
  }
  return runs;
}
