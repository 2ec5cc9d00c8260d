/**
 * `npm run fuzz [-- --requests 1000000] [--seed N] [--concurrency 16]`: fuzzes every public and
 * peer RPC of a fresh three-broker cluster (see fuzzCluster) and prints one JSON line per
 * round and a summary; exits 1 if a broker died, an answer was untyped, or the reference topic
 * changed. GREGOR_SEED=<seed> replays a run.
 */
import { parseArgs } from 'node:util';
import { fuzzCluster, testSeed } from '@gregor/testkit';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '1000000' },
      seed: { type: 'string' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  if (!Number.isSafeInteger(requests) || requests < 1) throw new Error(`--requests expects a positive integer, got ${values.requests}`);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency expects a positive integer, got ${values.concurrency}`);
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : testSeed('fuzz');
  // Exiting runs testkit's exit hook, which kills the brokers; dying of the signal would leave them.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const started = Date.now();
  const result = await fuzzCluster({
    requests,
    seed,
    concurrency,
    onRound: (sent) => {
      if (sent % 10_000 === 0 || sent === requests) {
        process.stdout.write(JSON.stringify({ event: 'fuzz.progress', sent, perSecond: Math.round(sent / ((Date.now() - started) / 1000)) }) + '\n');
      }
    },
  });
  const { report, deadBrokers, changedPartitions, brokerWarnings } = result;
  const ok = report.untyped.length === 0 && deadBrokers.length === 0 && changedPartitions.length === 0;
  process.stdout.write(
    JSON.stringify({ event: 'fuzz.done', ok, seed, sent: report.sent, seconds: (Date.now() - started) / 1000, byStatus: report.byStatus, deadBrokers, changedPartitions, untyped: report.untyped.slice(0, 20), ...(ok ? {} : { brokerWarnings }) }) + '\n',
  );
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: Error) => {
  process.stderr.write(`fuzz: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
