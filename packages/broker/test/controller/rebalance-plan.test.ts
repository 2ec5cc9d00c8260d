import fc from 'fast-check';
import { planRebalance } from '../../src/controller/rebalance-plan';
import type { PlanBroker, PlanPartition } from '../../src/controller/replica-plan';

const MIB = 1024 * 1024;
const SEED = Number(process.env.PLAN_SEED ?? 20261203);

function partitionsOf(lists: number[][], bytes: (i: number) => number = () => 0): PlanPartition[] {
  return lists.map((replicas, i) => ({ topic: 't', partition: i, replicas, bytes: bytes(i) }));
}

function applied(partitions: readonly PlanPartition[], plan: ReturnType<typeof planRebalance>): number[][] {
  return partitions.map((p) => plan.moves.find((m) => m.partition === p.partition)?.to ?? [...p.replicas]);
}

function spread(values: number[]): number {
  return Math.max(...values) - Math.min(...values);
}

const clusterArb = fc
  .record({ brokers: fc.integer({ min: 2, max: 7 }), rf: fc.integer({ min: 1, max: 3 }), partitions: fc.integer({ min: 1, max: 40 }) })
  .chain(({ brokers, rf, partitions }) => {
    const factor = Math.min(rf, brokers);
    const ids = Array.from({ length: brokers }, (_, i) => i + 1);
    const list = fc.shuffledSubarray(ids, { minLength: factor, maxLength: factor });
    return fc.record({
      brokers: fc.constant(ids),
      lists: fc.array(list, { minLength: partitions, maxLength: partitions }),
      bytes: fc.array(fc.integer({ min: 0, max: 1 << 30 }), { minLength: partitions, maxLength: partitions }),
    });
  });

describe('planRebalance', () => {
  it('moves one replica from a crowded broker to a new empty one and evens the leaders', () => {
    const brokers: PlanBroker[] = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];
    const partitions = partitionsOf([[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3]]);
    const plan = planRebalance(brokers, partitions);
    const after = new Map(plan.after.map((l) => [l.id, l]));
    expect([...after.values()].map((l) => l.replicas)).toEqual([3, 3, 3, 3]);
    expect(spread([...after.values()].map((l) => l.leaders))).toBeLessThanOrEqual(1);
    expect(plan.before.find((l) => l.id === 4)).toEqual({ id: 4, replicas: 0, leaders: 0, bytes: 0 });
  });

  it('plans nothing for a cluster that is already even', () => {
    const brokers: PlanBroker[] = [{ id: 1 }, { id: 2 }, { id: 3 }];
    expect(planRebalance(brokers, partitionsOf([[1, 2], [2, 3], [3, 1]])).moves).toEqual([]);
  });

  it('breaks even counts by bytes: the big partition does not share a broker with the next biggest', () => {
    const brokers: PlanBroker[] = [{ id: 1 }, { id: 2 }];
    const sizes = [1000, 900, 10, 10].map((mib) => mib * MIB);
    const plan = planRebalance(brokers, partitionsOf([[1], [1], [2], [2]], (i) => sizes[i]));
    expect(plan.after.map((l) => l.bytes / MIB).sort((a, b) => a - b)).toEqual([910, 1010]);
  });

  it('does not move data to even out bytes that differ by less than a twentieth of a broker\'s share', () => {
    const sizes = [103, 101, 100, 100].map((mib) => mib * MIB);
    expect(planRebalance([{ id: 1 }, { id: 2 }], partitionsOf([[1], [1], [2], [2]], (i) => sizes[i])).moves).toEqual([]);
  });

  it('spreads a partition over racks before it evens counts', () => {
    const brokers: PlanBroker[] = [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'a' },
      { id: 3, rack: 'b' },
    ];
    const plan = planRebalance(brokers, partitionsOf([[1, 2]]));
    expect(plan.moves).toHaveLength(1);
    const [to] = applied(partitionsOf([[1, 2]]), plan);
    expect(new Set(to.map((id) => brokers.find((b) => b.id === id)!.rack))).toEqual(new Set(['a', 'b']));
  });

  it('leaves alone partitions with a replica on a broker it may not plan for', () => {
    const plan = planRebalance([{ id: 1 }, { id: 2 }], partitionsOf([[1, 9], [1, 2], [1, 2]]));
    expect(plan.moves.some((m) => m.partition === 0)).toBe(false);
  });

  it('keeps every factor, evens replica counts to within one, and a second plan finds nothing to do', () => {
    fc.assert(
      fc.property(clusterArb, ({ brokers, lists, bytes }) => {
        const planBrokers = brokers.map((id) => ({ id }));
        const partitions = partitionsOf(lists, (i) => bytes[i]);
        const plan = planRebalance(planBrokers, partitions);
        const after = applied(partitions, plan);
        after.forEach((list, i) => {
          expect(list).toHaveLength(lists[i].length);
          expect(new Set(list).size).toBe(list.length);
          for (const id of list) expect(brokers).toContain(id);
        });
        expect(spread(plan.after.map((l) => l.replicas))).toBeLessThanOrEqual(1);
        expect(planRebalance(planBrokers, partitionsOf(after, (i) => bytes[i])).moves).toEqual([]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('evens leaders to within one when every partition is on every broker', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 30 }), fc.integer(), (n, count, salt) => {
        const ids = Array.from({ length: n }, (_, i) => i + 1);
        // Every partition led by broker 1, rotated by a salt so the followers' order varies.
        const followers = ids.slice(1);
        const turn = (i: number) => (((i + salt) % followers.length) + followers.length) % followers.length;
        const lists = Array.from({ length: count }, (_, i) => [1, ...followers.slice(turn(i)), ...followers.slice(0, turn(i))]);
        const plan = planRebalance(ids.map((id) => ({ id })), partitionsOf(lists));
        expect(spread(plan.after.map((l) => l.leaders))).toBeLessThanOrEqual(1);
        expect(plan.after.every((l) => l.replicas === count)).toBe(true);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('never gives a partition more replicas sharing a rack than it had', () => {
    fc.assert(
      fc.property(clusterArb, fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 7, maxLength: 7 }), ({ brokers, lists }, racks) => {
        const planBrokers = brokers.map((id) => ({ id, rack: racks[id - 1] }));
        const rackOf = (id: number) => racks[id - 1];
        const shared = (list: number[]) => list.length - new Set(list.map(rackOf)).size;
        const partitions = partitionsOf(lists);
        const after = applied(partitions, planRebalance(planBrokers, partitions));
        const total = (all: number[][]) => all.reduce((sum, l) => sum + shared(l), 0);
        expect(total(after)).toBeLessThanOrEqual(total(lists));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
