import { cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor, type Assignor } from '../src/consumer/assignors';
import { flat, member, owning } from './assignor-fixtures';

const assign = (assignor: Assignor, members: Parameters<Assignor['assign']>[0], counts: Record<string, number>): Record<string, string[]> =>
  flat(assignor.assign(members, new Map(Object.entries(counts))));

describe('range, as Kafka documents it', () => {
  it('gives C0 the first two partitions of t0 and t1 and C1 the third of each', () => {
    expect(assign(rangeAssignor, [member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])], { t0: 3, t1: 3 })).toEqual({
      C1: ['t0/2', 't1/2'],
      C0: ['t0/0', 't0/1', 't1/0', 't1/1'],
    });
  });

  it('orders static members by instance id, ahead of dynamic ones, and gives nothing for topics that do not exist', () => {
    const members = [member('a', ['t0']), member('b', ['t0'], { groupInstanceId: 'z' }), member('c', ['t0', 'nope'], { groupInstanceId: 'y' })];
    expect(assign(rangeAssignor, members, { t0: 4 })).toEqual({ c: ['t0/0', 't0/1'], b: ['t0/2'], a: ['t0/3'] });
  });
});

describe('roundrobin, as Kafka documents it', () => {
  it('deals t0 and t1 alternately over C0 and C1', () => {
    expect(assign(roundRobinAssignor, [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])], { t0: 3, t1: 3 })).toEqual({
      C0: ['t0/0', 't0/2', 't1/1'],
      C1: ['t0/1', 't1/0', 't1/2'],
    });
  });

  it('passes over members not subscribed to a topic', () => {
    const members = [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])];
    expect(assign(roundRobinAssignor, members, { t0: 1, t1: 2, t2: 3 })).toEqual({
      C0: ['t0/0'],
      C1: ['t1/0'],
      C2: ['t1/1', 't2/0', 't2/1', 't2/2'],
    });
  });
});

describe('cooperative-sticky', () => {
  it('hands a joining member its share only after the owner has revoked it', () => {
    const owner = member('C0', ['t0'], { owned: [{ topic: 't0', partitions: [0, 1, 2, 3] }], generation: 1 });
    const members = [owner, member('C1', ['t0'])];
    const first = cooperativeStickyAssignor.assign(members, new Map([['t0', 4]]));
    expect(flat(first)).toEqual({ C0: ['t0/2', 't0/3'], C1: [] });
    expect(assign(cooperativeStickyAssignor, owning(members, first, 2), { t0: 4 })).toEqual({ C0: ['t0/2', 't0/3'], C1: ['t0/0', 't0/1'] });
  });

  it('lets the claim of the newer generation win, and leaves out a partition two members claim in the same one', () => {
    const members = [
      member('C0', ['t0'], { owned: [{ topic: 't0', partitions: [0, 1] }], generation: 3 }),
      member('C1', ['t0'], { owned: [{ topic: 't0', partitions: [0] }], generation: 2 }),
      member('C2', ['t0'], { owned: [{ topic: 't0', partitions: [1, 2] }], generation: 3 }),
    ];
    expect(assign(cooperativeStickyAssignor, members, { t0: 3 })).toEqual({ C0: ['t0/0'], C1: [], C2: ['t0/2'] });
  });

  it('leaves out what a member owns of a topic it no longer subscribes to, while counting it toward its next owner', () => {
    const members = [member('C0', ['t1'], { owned: [{ topic: 't0', partitions: [0] }] }), member('C1', ['t0', 't1'])];
    expect(assign(cooperativeStickyAssignor, members, { t0: 1, t1: 2 })).toEqual({ C0: ['t1/0', 't1/1'], C1: [] });
  });
});
