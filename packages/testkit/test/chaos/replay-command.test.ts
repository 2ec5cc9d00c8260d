import { ACK_BEFORE_REPLICATION_BROKER, LEARNERS_COUNT_TOWARD_COMMIT_BROKER } from '../../src/broker-program';
import { replayCommand } from '../../src/chaos/run-chaos';

describe('replayCommand', () => {
  test('names the seed, size and moves of a plain round', () => {
    expect(replayCommand({ seed: 7, durationMs: 30_000, brokers: 5, moves: true, joins: 1 })).toBe('npm run chaos -- --duration 30 --seed 7 --brokers 5 --moves --joins 1');
  });

  test('names the fault kinds, partitions and the deliberately broken broker a round ran', () => {
    expect(replayCommand({ seed: 9, durationMs: 20_000, brokers: 5, moves: true, joins: 0, kinds: ['restart'], program: LEARNERS_COUNT_TOWARD_COMMIT_BROKER })).toBe(
      'npm run chaos -- --duration 20 --seed 9 --brokers 5 --faults restart --moves --joins 0 --learners-count-toward-commit',
    );
    expect(replayCommand({ seed: 1, durationMs: 20_000, brokers: 3, partitions: 2, kinds: ['isolate-leader'], program: ACK_BEFORE_REPLICATION_BROKER })).toBe(
      'npm run chaos -- --duration 20 --seed 1 --brokers 3 --partitions 2 --faults isolate-leader --ack-before-replication',
    );
  });
});
