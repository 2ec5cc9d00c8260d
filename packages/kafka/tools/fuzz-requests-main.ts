import { fuzzRequests } from './request-fuzz';

/** `npm run fuzz:kafka [-- --runs N --seed S]`: the request fuzz at full size (npm test runs a bounded one). */
async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const runs = Number(arg('runs') ?? 100_000);
  const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`kafka request fuzz: seed ${seed}, ${runs} cases (replay with --seed ${seed})`);
  const started = Date.now();
  const report = await fuzzRequests(seed, runs);
  console.log(`kafka request fuzz: ${report.runs} cases, ${report.served} reached an API's decoder, of which ${report.answered} were answered and ${report.served - report.answered} refused as malformed; 0 other failures, ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
