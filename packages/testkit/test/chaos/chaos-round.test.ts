import { ACK_BEFORE_REPLICATION_BROKER, LEARNERS_COUNT_TOWARD_COMMIT_BROKER } from '../../src/broker-program';
import { runChaos } from '../../src/chaos/run-chaos';
import { testSeed } from '../../src/prng';

/** Runs a round, keeping its progress lines to print only when the round surprises us. */
async function round(label: string, options: Omit<Parameters<typeof runChaos>[0], 'seed' | 'log'>) {
  const lines: string[] = [];
  try {
    const result = await runChaos({ ...options, seed: testSeed(label), log: (line) => lines.push(line) });
    return { result, transcript: lines.join('\n') };
  } catch (err) {
    process.stderr.write(`${lines.join('\n')}\n`);
    throw err;
  }
}

// Both rounds start real broker processes; they run one after the other to share the machine's cores.
describe('chaos rounds against three real brokers', () => {
  test('a short round under every kind of fault loses, duplicates and diverges nothing', async () => {
    const { result, transcript } = await round('chaos', { brokers: 3, durationMs: 20000 });
    if (!result.ok || result.acked === 0) process.stderr.write(`${transcript}\n`);
    expect(result.line).toMatch(/^chaos: acked=\d+ lost=0 duplicated=0 divergent=0 reordered=0 faults=\d+$/);
    expect(result.acked).toBeGreaterThan(500);
    expect(result.faults).toBeGreaterThanOrEqual(3);
  }, 120000);

  test('the checker catches losses when leaders acknowledge before a majority holds the batch', async () => {
    // An isolated leader that acknowledges on its own keeps taking writes that the majority's new
    // leader overwrites. Whether a given isolation catches writes in flight is a matter of timing,
    // so a round that happens to lose nothing is followed by another, up to three.
    let lost = 0;
    const transcripts: string[] = [];
    for (let attempt = 1; attempt <= 3 && lost === 0; attempt++) {
      const { result, transcript } = await round('chaos-unsafe', {
        brokers: 3,
        durationMs: 20000,
        kinds: ['isolate-leader'],
        timing: { firstAtMs: 2000, faultMs: [2500, 3500], gapMs: [1000, 1500] },
        program: ACK_BEFORE_REPLICATION_BROKER,
        keepData: false,
      });
      transcripts.push(transcript);
      lost = result.lost;
      if (lost > 0) {
        expect(result.ok).toBe(false);
        expect(result.line).toMatch(new RegExp(`^chaos: acked=\\d+ lost=${lost} duplicated=\\d+ divergent=\\d+ reordered=\\d+ faults=\\d+$`));
      }
    }
    if (lost === 0) process.stderr.write(`${transcripts.join('\n')}\n`);
    expect(lost).toBeGreaterThan(0);
  }, 300000);
});

// Five brokers, so that a move can take a partition to two brokers that do not hold it.
describe('chaos rounds with reassignment as a fault', () => {
  test('moves, cut-off moves, joins and decommissions under faults lose, duplicate and diverge nothing', async () => {
    const { result, transcript } = await round('chaos-moves', { brokers: 5, durationMs: 30000, moves: true, joins: 1 });
    if (!result.ok || result.acked === 0) process.stderr.write(`${transcript}\n`);
    expect(result.line).toMatch(/^chaos: acked=\d+ lost=0 duplicated=0 divergent=0 reordered=0 faults=\d+$/);
    expect(result.acked).toBeGreaterThan(500);
    expect(transcript).toMatch(/moving chaos-\d/);
  }, 240000);

  test('the checker catches a leader that counts learners toward its commit quorum', async () => {
    // Only cut-off moves, and faults rare: whether a cut catches acknowledgements that only the
    // learners hold is a matter of timing, so a round that finds nothing is followed by another.
    let caught = 0;
    const transcripts: string[] = [];
    for (let attempt = 1; attempt <= 3 && caught === 0; attempt++) {
      const { result, transcript } = await round(`chaos-learners-${attempt}`, {
        brokers: 5,
        durationMs: 30000,
        moves: true,
        joins: 0,
        moveSteps: ['cut-off'],
        kinds: ['restart'],
        timing: { firstAtMs: 25000, faultMs: [1000, 1000], gapMs: [60000, 60000] },
        program: LEARNERS_COUNT_TOWARD_COMMIT_BROKER,
        keepData: false,
      });
      transcripts.push(transcript);
      caught = result.lost + result.divergent;
      if (caught > 0) expect(result.ok).toBe(false);
    }
    if (caught === 0) process.stderr.write(`${transcripts.join('\n')}\n`);
    expect(caught).toBeGreaterThan(0);
  }, 420000);
});
