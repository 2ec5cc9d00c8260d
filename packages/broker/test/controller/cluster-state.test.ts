import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open } from 'lmdb';
import { ClusterState } from '../../src/controller/cluster-state';
import type { ClusterTopic } from '../../src/controller/metadata-commands';
import { placeReplicas } from '../../src/controller/placement';

function topic(name: string): ClusterTopic {
  return { name, topicId: `${name}-id`, partitions: 2, configs: {}, createdAt: 1, assignments: [{ replicas: [1, 2], leader: 0, leaderTerm: 0 }, { replicas: [2, 1], leader: 0, leaderTerm: 0 }] };
}

describe('ClusterState', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-cluster-state-'));

  it('applies commands in order, persists the applied index with them, and skips re-applied entries', async () => {
    const where = dir();
    let root = open({ path: where });
    let state = ClusterState.open(root);
    expect(state.apply(1, { type: 'registerBroker', id: 1, address: 'a:1', time: 5 })).toEqual({ ok: true });
    expect(state.apply(2, { type: 'createTopic', topic: topic('orders') })).toEqual({ ok: true });
    expect(state.apply(3, { type: 'createTopic', topic: topic('orders') })).toMatchObject({ ok: false, code: 'TOPIC_EXISTS' });
    expect(state.apply(4, { type: 'allocateProducerIds', count: 10 })).toEqual({ ok: true, value: 1000 });
    expect(state.apply(5, { type: 'allocateProducerIds', count: 10 })).toEqual({ ok: true, value: 1010 });
    await root.close();

    root = open({ path: where });
    state = ClusterState.open(root);
    expect(state.appliedIndex).toBe(5);
    expect(state.apply(5, { type: 'allocateProducerIds', count: 10 })).toEqual({ ok: true });
    expect(state.apply(6, { type: 'allocateProducerIds', count: 1 })).toEqual({ ok: true, value: 1020 });
    expect(state.brokers()).toEqual([{ id: 1, address: 'a:1', fenced: false, registeredAt: 5 }]);
    expect(state.topic('orders')?.assignments[1].replicas).toEqual([2, 1]);
    await root.close();
  });

  it('restores from a snapshot exactly what it held, replacing what was there, applied index included', async () => {
    const source = ClusterState.open(open({ path: dir() }));
    source.apply(1, { type: 'registerBroker', id: 1, address: 'a:1', time: 5 });
    source.apply(2, { type: 'createTopic', topic: topic('orders') });
    source.apply(3, { type: 'allocateProducerIds', count: 10 });
    const target = ClusterState.open(open({ path: dir() }));
    target.apply(1, { type: 'registerBroker', id: 9, address: 'z:9', time: 1 });
    target.apply(2, { type: 'createTopic', topic: topic('stale') });
    let heard = 0;
    target.onChange(() => heard++);
    target.restore(source.snapshot());
    expect(heard).toBe(1);
    expect(target.appliedIndex).toBe(3);
    expect(target.brokers()).toEqual(source.brokers());
    expect(target.topics()).toEqual(source.topics());
    expect(target.apply(4, { type: 'allocateProducerIds', count: 1 })).toEqual({ ok: true, value: 1010 });
  });

  it('keeps the newest leader report per partition and ignores older terms', async () => {
    const root = open({ path: dir() });
    const state = ClusterState.open(root);
    state.apply(1, { type: 'createTopic', topic: topic('t') });
    state.apply(2, { type: 'partitionLeader', topicId: 't-id', partition: 1, leader: 2, term: 4 });
    state.apply(3, { type: 'partitionLeader', topicId: 't-id', partition: 1, leader: 1, term: 3 });
    expect(state.topic('t')?.assignments[1]).toEqual({ replicas: [2, 1], leader: 2, leaderTerm: 4 });
    expect(state.apply(4, { type: 'deleteTopic', name: 'nope' })).toMatchObject({ ok: false, code: 'UNKNOWN_TOPIC' });
    await root.close();
  });
});

describe('placeReplicas', () => {
  it('spreads replicas and preferred leaders evenly over the brokers', () => {
    const assignments = placeReplicas([3, 1, 2], 6, 3, 0);
    expect(assignments[0]).toEqual([1, 2, 3]);
    expect(assignments[1]).toEqual([2, 3, 1]);
    const leaders = assignments.map((a) => a[0]);
    for (const id of [1, 2, 3]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
    expect(placeReplicas([1, 2], 1, 3, 0)).toEqual([[1, 2]]);
  });
});
