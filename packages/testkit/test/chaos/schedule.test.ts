import { FAULT_KINDS, FaultKind, PlannedFault, planFaults, targetsFor } from '../../src/chaos/schedule';
import { mulberry32, testSeed } from '../../src/prng';

const fault = (kind: FaultKind, pick: number): PlannedFault => ({ atMs: 0, kind, durationMs: 1000, pick });

describe('planFaults', () => {
  test('the same seed gives the same schedule, another seed another', () => {
    const options = { durationMs: 60000 };
    expect(planFaults(mulberry32(7), options)).toEqual(planFaults(mulberry32(7), options));
    expect(planFaults(mulberry32(7), options)).not.toEqual(planFaults(mulberry32(8), options));
  });

  test('faults come one at a time inside the run, with quiet gaps, using only the allowed kinds', () => {
    const seed = testSeed('schedule');
    const faults = planFaults(mulberry32(seed), { durationMs: 120000, kinds: ['kill-leader', 'split'], firstAtMs: 3000, faultMs: [1000, 2000], gapMs: [500, 700] });
    expect(faults.length).toBeGreaterThan(30);
    expect(faults[0].atMs).toBe(3000);
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      expect(['kill-leader', 'split']).toContain(f.kind);
      expect(f.atMs + f.durationMs).toBeLessThanOrEqual(120000);
      if (i > 0) {
        const gap = f.atMs - (faults[i - 1].atMs + faults[i - 1].durationMs);
        expect(gap).toBeGreaterThanOrEqual(500);
        expect(gap).toBeLessThanOrEqual(700);
      }
    }
  });

  test('every kind turns up over a long schedule', () => {
    const kinds = new Set(planFaults(mulberry32(1), { durationMs: 600000 }).map((f) => f.kind));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
  });

  test('no faults when none are allowed or the run is too short', () => {
    expect(planFaults(mulberry32(1), { durationMs: 60000, kinds: [] })).toEqual([]);
    expect(planFaults(mulberry32(1), { durationMs: 1000 })).toEqual([]);
  });
});

describe('targetsFor', () => {
  const three = [1, 2, 3];
  const five = [1, 2, 3, 4, 5];

  test('leader faults act on the leader', () => {
    for (const kind of ['kill-leader', 'pause-leader', 'isolate-leader'] as const) {
      expect(targetsFor(fault(kind, 0.3), 2, three)).toEqual({ victims: [2], others: [1, 3] });
    }
  });

  test('a follower fault never hits the leader, and picks differ with the draw', () => {
    const picked = new Set<number>();
    for (let pick = 0; pick < 1; pick += 0.01) {
      const { victims } = targetsFor(fault('kill-follower', pick), 3, five);
      expect(victims).toHaveLength(1);
      expect(victims[0]).not.toBe(3);
      picked.add(victims[0]);
    }
    expect([...picked].sort()).toEqual([1, 2, 4, 5]);
  });

  test('kill-all takes every broker', () => {
    expect(targetsFor(fault('kill-all', 0.5), 1, five).victims).toEqual(five);
  });

  test('split puts the leader in a minority', () => {
    for (let pick = 0; pick < 1; pick += 0.05) {
      const { victims, others } = targetsFor(fault('split', pick), 4, five);
      expect(victims).toHaveLength(2);
      expect(victims).toContain(4);
      expect([...victims, ...others].sort()).toEqual(five);
      expect(targetsFor(fault('split', pick), 1, three)).toEqual({ victims: [1], others: [2, 3] });
    }
  });

  test('one-way loss runs between the leader and a follower, both ways over the draws', () => {
    const directions = new Set<string>();
    for (let pick = 0; pick < 1; pick += 0.01) {
      const { victims, others } = targetsFor(fault('one-way', pick), 2, three);
      expect([victims[0], others[0]]).toContain(2);
      expect(victims[0]).not.toBe(others[0]);
      directions.add(victims[0] === 2 ? 'from leader' : 'to leader');
    }
    expect(directions.size).toBe(2);
  });
});
