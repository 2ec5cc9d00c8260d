/**
 * One measurement in its own process (argv[2] is a WorkerTask as JSON):
 * a producer at full speed, a paced producer measuring acknowledgement
 * latency, a consumer reading a stream from the start, or a steady
 * producer through a leader kill. The result goes to the parent over IPC.
 */
import { mulberry32, randomBytes } from '@gregor/testkit';
import { summarizeLatencies } from './percentiles';
import { poissonSchedule } from './schedule';
import { openSystem, SystemClient } from './systems';
import { produceThroughFailover } from './failover-producer';
import { KillNotice, WorkerMessage, WorkerResult, WorkerTask } from './task';
import { produceAtFullSpeed, produceOnSchedule } from './workload';

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function measure(client: SystemClient, task: WorkerTask): Promise<WorkerResult> {
  switch (task.kind) {
    case 'produce': {
      const value = randomBytes(mulberry32(task.seed), task.recordBytes);
      const sender = await client.sender(task.stream);
      const cpu = process.cpuUsage();
      const seconds = await produceAtFullSpeed(sender, value, task.records, task.window);
      const clientCpuMs = cpuMsSince(cpu);
      await sender.close();
      return { records: task.records, seconds, bytes: task.records * value.length, clientCpuMs };
    }
    case 'latency': {
      const value = randomBytes(mulberry32(task.seed), task.recordBytes);
      const schedule = poissonSchedule(task.seed, task.ratePerSec, task.warmUpRecords + task.records);
      const sender = await client.sender(task.stream);
      const { latencies, endMs } = await produceOnSchedule(sender, value, schedule);
      await sender.close();
      // Warm-up records run on the same schedule, so timing starts with the system in its steady state.
      const seconds = (endMs - (task.warmUpRecords > 0 ? schedule[task.warmUpRecords - 1] : 0)) / 1000;
      const measured = latencies.subarray(task.warmUpRecords);
      return { records: task.records, seconds, bytes: task.records * value.length, ...summarizeLatencies(measured) };
    }
    case 'consume': {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      const bytes = await client.readFromStart(task.stream, task.records);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const clientCpuMs = cpuMsSince(cpu);
      const expected = task.records * task.recordBytes;
      if (bytes !== expected) throw new Error(`${task.target.system} consumer read ${bytes} value bytes, expected ${expected}`);
      return { records: task.records, seconds, bytes, clientCpuMs };
    }
    case 'failover': {
      const value = randomBytes(mulberry32(task.seed), task.recordBytes);
      const sender = await client.sender(task.stream);
      const observed = await produceThroughFailover(sender, value, task, waitForKill);
      // A run that never resumed leaves records outstanding; closing would wait out their delivery timeout.
      if (observed.unavailableMs !== null) await sender.close();
      const { unavailableMs, maxAckGapMs, acked, failed, firstFailure, seconds } = observed;
      return { records: acked, seconds, bytes: acked * value.length, unavailableMs, maxAckGapMs, failedSends: failed, ...(firstFailure ? { firstFailure } : {}) };
    }
  }
}

/** Tells the driver this worker is ready for the kill and resolves with the kill time it answers. */
function waitForKill(): Promise<number> {
  return new Promise((resolve, reject) => {
    process.once('message', (notice: KillNotice) => resolve(notice.atMs));
    tell({ kind: 'ready' }).catch(reject);
  });
}

function tell(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, (err: Error | null) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]) as WorkerTask;
  const client = await openSystem(task.target);
  try {
    const result = await measure(client, task);
    await tell({ kind: 'result', result });
  } finally {
    await client.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
