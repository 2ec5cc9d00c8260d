import fc from 'fast-check';
import { ASSIGNORS, cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor, type Assignor } from '../src/consumer/assignors';
// Not testkit's index: that loads the gRPC definitions, which pure assignors have no need of.
import { testSeed } from '@gregor/testkit';
import {
  anyGroup,
  counts,
  flat,
  handedOverWhileOwned,
  holders,
  identicalGroup,
  keysOf,
  member,
  owning,
  spread,
  subscribedPartitions,
  withRandomOwnership,
  type Assignment,
} from './assignor-fixtures';

const RUNS = 200;
function run<T extends unknown[]>(label: string, property: fc.IProperty<T>): void {
  fc.assert(property, { seed: testSeed(label), numRuns: RUNS });
}

describe.each([rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor])('$name, with nothing owned', (assignor: Assignor) => {
  it('gives every subscribed partition to exactly one member subscribed to its topic, and names every member', () => {
    run(`${assignor.name} complete`, fc.property(anyGroup, ({ counts: c, members }) => {
      const result = assignor.assign(members, c);
      expect([...result.keys()].sort()).toEqual(members.map((m) => m.memberId).sort());
      const given = holders(result);
      expect([...given.keys()].sort()).toEqual(subscribedPartitions(members, c).sort());
      for (const [k, ids] of given) {
        expect(ids).toHaveLength(1);
        expect(members.find((m) => m.memberId === ids[0])!.subscription.topics).toContain(k.split('/')[0]);
      }
    }));
  });

  it('balances members with identical subscriptions to within one partition (range: within each topic, as in Kafka)', () => {
    run(`${assignor.name} balance`, fc.property(identicalGroup, ({ counts: c, members }) => {
      const result = assignor.assign(members, c);
      const topics = assignor === rangeAssignor ? members[0].subscription.topics.filter((t) => c.has(t)).map((t) => [t]) : [[...c.keys()]];
      for (const group of topics) {
        const perMember = [...result.values()].map((lists) => lists.filter((l) => group.includes(l.topic)).reduce((n, l) => n + l.partitions.length, 0));
        expect(spread(perMember)).toBeLessThanOrEqual(1);
      }
    }));
  });

  it('depends on the members, not on the order they are listed in', () => {
    const shuffled = anyGroup.chain((g) => fc.shuffledSubarray(g.members, { minLength: g.members.length }).map((order) => ({ ...g, order })));
    run(`${assignor.name} determinism`, fc.property(shuffled, ({ counts: c, members, order }) => {
      expect(flat(assignor.assign(order, c))).toEqual(flat(assignor.assign(members, c)));
    }));
  });
});

describe('cooperative-sticky with owned partitions', () => {
  const assign = (g: { counts: Map<string, number>; members: Parameters<Assignor['assign']>[0] }): Assignment => cooperativeStickyAssignor.assign(g.members, g.counts);
  const owned = anyGroup.chain(withRandomOwnership);

  it('never hands a partition to a member while another member still owns it, and never to two members', () => {
    run('cooperative handover', fc.property(owned, (g) => {
      const result = assign(g);
      expect(handedOverWhileOwned(g.members, result)).toEqual([]);
      for (const ids of holders(result).values()) expect(ids).toHaveLength(1);
    }));
  });

  /** Rounds of rebalancing, each member owning what the round before gave it, until every subscribed partition has a member. */
  function roundsToComplete(g: { counts: Map<string, number>; members: Parameters<Assignor['assign']>[0] }, limit: number): { rounds: number; last: Assignment } {
    let members = g.members;
    const total = subscribedPartitions(g.members, g.counts).length;
    for (let round = 1; ; round++) {
      const result = cooperativeStickyAssignor.assign(members, g.counts);
      expect(handedOverWhileOwned(members, result)).toEqual([]);
      if (holders(result).size === total || round === limit) return { rounds: round, last: result };
      members = owning(g.members, result, round);
    }
  }

  it('is complete and balanced in the round after the one that revokes, when subscriptions are identical', () => {
    run('cooperative convergence', fc.property(identicalGroup.chain(withRandomOwnership), (g) => {
      const { rounds, last } = roundsToComplete(g, 2);
      expect(rounds).toBeLessThanOrEqual(2);
      expect(holders(last).size).toBe(subscribedPartitions(g.members, g.counts).length);
      expect(spread(counts(last))).toBeLessThanOrEqual(1);
    }));
  });

  it('becomes complete within a few rounds whatever the subscriptions', () => {
    run('cooperative convergence, mixed subscriptions', fc.property(anyGroup.chain(withRandomOwnership), (g) => {
      const { last } = roundsToComplete(g, 4);
      expect(holders(last).size).toBe(subscribedPartitions(g.members, g.counts).length);
    }));
  });

  it('moves no more partitions than balance needs when a member joins a balanced group', () => {
    run('cooperative join', fc.property(identicalGroup, (g) => {
      const before = assign(g);
      const joiner = member('member-new', g.members[0].subscription.topics);
      const members = [...owning(g.members, before, 1), joiner];
      const first = cooperativeStickyAssignor.assign(members, g.counts);
      const total = subscribedPartitions(g.members, g.counts).length;
      const kept = g.members.reduce((n, m) => n + keysOf(first.get(m.memberId)!).filter((k) => keysOf(before.get(m.memberId)!).includes(k)).length, 0);
      expect(total - kept).toBeLessThanOrEqual(Math.ceil(total / members.length));
      expect(keysOf(first.get(joiner.memberId)!)).toEqual([]);
      const second = cooperativeStickyAssignor.assign(owning(members, first, 2), g.counts);
      expect(holders(second).size).toBe(total);
      expect(spread(counts(second))).toBeLessThanOrEqual(1);
    }));
  });

  it("gives a leaving member's partitions to the others in the same round, and the others keep theirs", () => {
    const leaving = identicalGroup.filter((g) => g.members.length >= 2);
    run('cooperative leave', fc.property(leaving, (g) => {
      const before = assign(g);
      const stay = owning(g.members, before, 1).slice(1);
      const after = cooperativeStickyAssignor.assign(stay, g.counts);
      expect(holders(after).size).toBe(subscribedPartitions(g.members, g.counts).length);
      for (const m of stay) expect(keysOf(after.get(m.memberId)!)).toEqual(expect.arrayContaining(keysOf(m.subscription.ownedPartitions)));
      expect(spread(counts(after))).toBeLessThanOrEqual(1);
    }));
  });
});

describe('ASSIGNORS', () => {
  it('names each assignor by its Kafka protocol name', () => {
    expect([...ASSIGNORS].map(([name, a]) => [name, a.rebalanceProtocol])).toEqual([
      ['range', 'eager'],
      ['roundrobin', 'eager'],
      ['cooperative-sticky', 'cooperative'],
    ]);
  });
});
