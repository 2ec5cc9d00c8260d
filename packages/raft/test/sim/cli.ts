import { isUnsafeBug, UNSAFE_BUGS } from './unsafe-bugs';
import { runSeed } from './world';

/**
 * npm run sim -- --seeds N [--start S] [--seed S [--trace]] [--bug name] [--ack-unsynced]
 * Runs seeds start..start+N-1 (or replays one) and ends with
 * `sim: N seeds, V violations`; exits 1 when V > 0.
 */
function main(argv: string[]): number {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      args.set(a.slice(2), next);
      i++;
    } else {
      args.set(a.slice(2), 'true');
    }
  }
  const bug = args.get('bug');
  if (bug !== undefined && !isUnsafeBug(bug)) {
    console.error(`unknown --bug ${bug}; one of: ${Object.keys(UNSAFE_BUGS).join(', ')}`);
    return 2;
  }
  const ackUnsynced = args.has('ack-unsynced');
  const bugFlag = (bug !== undefined ? ` --bug ${bug}` : '') + (ackUnsynced ? ' --ack-unsynced' : '');
  const single = args.get('seed');
  const start = single !== undefined ? Number(single) : Number(args.get('start') ?? 1);
  const count = single !== undefined ? 1 : Number(args.get('seeds') ?? 1000);
  const trace = args.has('trace') ? (line: string) => console.log(line) : undefined;
  let violations = 0;
  let committed = 0;
  let messages = 0;
  const coverage = { leaders: 0, snapshotsInstalled: 0, configsApplied: 0, leadersLeft: 0, readsServed: 0 };
  let failedSeeds = 0;
  const began = process.hrtime.bigint();
  for (let seed = start; seed < start + count; seed++) {
    const r = runSeed({ seed, bug, trace, ackUnsynced });
    committed += r.committed;
    messages += r.messages;
    for (const k of Object.keys(coverage) as (keyof typeof coverage)[]) coverage[k] += r.coverage[k];
    if (r.violations.length > 0) {
      violations += r.violations.length;
      failedSeeds++;
      if (failedSeeds <= 10) {
        console.log(`seed ${seed} FAILED after ${r.steps} steps:`);
        for (const v of r.violations) console.log(`  ${v}`);
        console.log(`  replay: npm run sim -- --seed ${seed}${bugFlag} --trace`);
      }
    }
  }
  const secs = Number(process.hrtime.bigint() - began) / 1e9;
  console.log(
    `sim: seeds ${start}..${start + count - 1} in ${secs.toFixed(1)}s (${(count / secs).toFixed(0)} seeds/s), ` +
      `${(committed / count).toFixed(0)} entries applied and ${(messages / count).toFixed(0)} messages per seed`,
  );
  const perSeed = Object.entries(coverage).map(([k, v]) => `${k} ${(v / count).toFixed(1)}`);
  console.log(`sim: per seed: ${perSeed.join(', ')}`);
  if (failedSeeds > 0) console.log(`sim: ${failedSeeds} of ${count} seeds failed`);
  console.log(`sim: ${count} seeds, ${violations} violations`);
  return violations > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
