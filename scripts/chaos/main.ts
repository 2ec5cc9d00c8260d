/**
 * `npm run chaos -- --duration S --seed X [--brokers 3|5|both] [--faults kind,...]
 * [--rate N] [--partitions N] [--env KEY=VALUE] [--data-root DIR] [--keep-data] [--ack-before-replication] [--moves [--joins N]] [--learners-count-toward-commit]`:
 * chaos rounds against real broker processes on loopback (see @gregor/testkit runChaos).
 * --ack-before-replication runs testkit's deliberately broken broker, to see the checker fail.
 * Each round ends with `chaos: acked=A lost=L duplicated=D divergent=X reordered=R faults=F`;
 * the exit code is 1 unless every round lost, duplicated, diverged and reordered nothing.
 */
import { parseArgs } from 'node:util';
import { ACK_BEFORE_REPLICATION_BROKER, FAULT_KINDS, FaultKind, GREGOR_BROKER, LEARNERS_COUNT_TOWARD_COMMIT_BROKER, runChaos } from '@gregor/testkit';

/** A bad command line: reported without a stack trace. */
class UsageError extends Error {}

function integer(name: string, raw: string, min: number): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} expects an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function faultKinds(raw: string | undefined): readonly FaultKind[] {
  if (raw === undefined) return FAULT_KINDS;
  const kinds = raw.split(',').map((k) => k.trim());
  for (const kind of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--faults: unknown kind ${kind}; known: ${FAULT_KINDS.join(', ')}`);
  }
  return kinds as FaultKind[];
}

function brokerEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      seed: { type: 'string' },
      brokers: { type: 'string', default: 'both' },
      partitions: { type: 'string', default: '3' },
      rate: { type: 'string', default: '200' },
      faults: { type: 'string' },
      'data-root': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      /** Extra broker environment, KEY=VALUE, repeatable. */
      env: { type: 'string', multiple: true, default: [] },
      'ack-before-replication': { type: 'boolean', default: false },
      /** Reassignment as a fault: partition moves, cancellations, cut-off moves, joins and decommissions. */
      moves: { type: 'boolean', default: false },
      /** With --moves: brokers that may join over the run (0: partition moves only). */
      joins: { type: 'string', default: '2' },
      /** Runs testkit's broker whose leaders count learners toward the commit quorum (use with --moves). */
      'learners-count-toward-commit': { type: 'boolean', default: false },
    },
  });
  const seed = values.seed !== undefined ? integer('seed', values.seed, 0) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const durationMs = integer('duration', values.duration!, 1) * 1000;
  const sizes = values.brokers === 'both' ? [3, 5] : [integer('brokers', values.brokers!, 1)];
  const env = brokerEnv(values.env!);
  let failed = false;
  for (const brokers of sizes) {
    const result = await runChaos({
      seed,
      durationMs: sizes.length > 1 ? Math.ceil(durationMs / sizes.length) : durationMs,
      brokers,
      partitions: integer('partitions', values.partitions!, 1),
      recordsPerSecond: integer('rate', values.rate!, 1),
      kinds: faultKinds(values.faults),
      dataRoot: values['data-root'] && `${values['data-root']}/brokers-${brokers}`,
      keepData: values['keep-data'],
      env,
      program: values['ack-before-replication']
        ? ACK_BEFORE_REPLICATION_BROKER
        : values['learners-count-toward-commit']
          ? LEARNERS_COUNT_TOWARD_COMMIT_BROKER
          : GREGOR_BROKER,
      moves: values.moves,
      joins: integer('joins', values.joins!, 0),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    failed ||= !result.ok;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`chaos: error: ${err instanceof UsageError ? err.message : err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
