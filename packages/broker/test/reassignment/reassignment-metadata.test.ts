import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { ClusterState } from '../../src/controller/cluster-state';
import type { ClusterTopic, MetadataCommand } from '../../src/controller/metadata-commands';
import { hostsOf } from '../../src/controller/reassignment-rules';

const TOPIC: ClusterTopic = {
  name: 'orders',
  topicId: 'orders-id',
  partitions: 2,
  configs: {},
  createdAt: 1,
  assignments: [
    { replicas: [1, 2, 3], leader: 1, leaderTerm: 1 },
    { replicas: [2, 3, 1], leader: 2, leaderTerm: 1 },
  ],
};

/** The metadata side of a move: what starts one, what is refused whole, and how it ends. */
describe('reassignments in the cluster metadata', () => {
  let root: RootDatabase;
  let state: ClusterState;
  let index = 0;
  const apply = (command: MetadataCommand) => state.apply(++index, command);

  beforeEach(() => {
    root = open({ path: fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-reassign-')) });
    state = ClusterState.open(root);
    index = 0;
    for (const id of [1, 2, 3, 4]) apply({ type: 'registerBroker', id, address: `h:${id}`, peerAddress: `h:${100 + id}`, time: 1 });
    apply({ type: 'createTopic', topic: TOPIC });
  });

  afterEach(() => root.close());

  const move = (partition: number, target: number[]) => ({ topicId: TOPIC.topicId, partition, target });
  const assignment = (partition: number) => state.topic('orders')!.assignments[partition];

  it('starts a move with every broker involved hosting the partition until the move ends with the target as replicas', () => {
    expect(apply({ type: 'reassignPartitions', moves: [move(0, [4, 2, 3])], throttleBytesPerSec: 5, time: 9 })).toEqual({ ok: true });
    expect(assignment(0).reassignment).toEqual({ target: [4, 2, 3], involved: [1, 2, 3, 4], throttleBytesPerSec: 5, startedAt: 9, cancelled: false });
    expect(hostsOf(assignment(0)).sort()).toEqual([1, 2, 3, 4]);
    // A report that does not match the target (a stale leader's) changes nothing.
    apply({ type: 'completeReassignment', topicId: TOPIC.topicId, partition: 0, replicas: [1, 2, 3] });
    expect(assignment(0).reassignment).toBeDefined();
    apply({ type: 'completeReassignment', topicId: TOPIC.topicId, partition: 0, replicas: [2, 3, 4] });
    expect(assignment(0)).toEqual({ replicas: [4, 2, 3], leader: 1, leaderTerm: 1 });
    expect(hostsOf(assignment(0))).toEqual([4, 2, 3]);
  });

  it('refuses bad moves with a typed error and applies nothing of a batch with one bad move', () => {
    const refused = (moves: ReturnType<typeof move>[]) => apply({ type: 'reassignPartitions', moves, throttleBytesPerSec: 0, time: 1 });
    expect(refused([move(0, [4, 2, 3]), move(1, [2, 3, 9])])).toMatchObject({ ok: false, code: 'INVALID_REPLICA_ASSIGNMENT', message: expect.stringContaining('broker 9 does not exist') });
    expect(refused([move(0, [4, 4, 3])])).toMatchObject({ ok: false, code: 'INVALID_REPLICA_ASSIGNMENT', message: expect.stringContaining('twice') });
    expect(refused([move(0, [1, 2, 3, 4, 5])])).toMatchObject({ ok: false, code: 'INVALID_REPLICATION_FACTOR' });
    expect(refused([move(0, [])])).toMatchObject({ ok: false, code: 'INVALID_REPLICATION_FACTOR' });
    expect(refused([move(5, [1])])).toMatchObject({ ok: false, code: 'UNKNOWN_PARTITION' });
    expect(refused([move(0, [1, 2, 4]), move(0, [1, 2, 3, 4])])).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    apply({ type: 'fenceBroker', id: 4, fenced: true });
    expect(refused([move(0, [4, 2, 3])])).toMatchObject({ ok: false, code: 'BROKER_NOT_AVAILABLE' });
    expect(state.topic('orders')!.assignments.every((a) => a.reassignment === undefined)).toBe(true);
  });

  it('refuses a second move of a moving partition, and cancels back to the replicas the move started from', () => {
    apply({ type: 'reassignPartitions', moves: [move(0, [4, 2, 3])], throttleBytesPerSec: 0, time: 1 });
    expect(apply({ type: 'reassignPartitions', moves: [move(0, [2, 3, 4])], throttleBytesPerSec: 0, time: 2 })).toMatchObject({ ok: false, code: 'REASSIGNMENT_IN_PROGRESS' });
    expect(apply({ type: 'cancelReassignment', topicId: TOPIC.topicId, partition: 0 })).toEqual({ ok: true });
    expect(assignment(0).reassignment).toMatchObject({ target: [1, 2, 3], involved: [1, 2, 3, 4], cancelled: true });
    expect(apply({ type: 'cancelReassignment', topicId: TOPIC.topicId, partition: 1 })).toMatchObject({ ok: false, code: 'NO_REASSIGNMENT_IN_PROGRESS' });
    apply({ type: 'completeReassignment', topicId: TOPIC.topicId, partition: 0, replicas: [3, 2, 1] });
    expect(assignment(0)).toEqual({ replicas: [1, 2, 3], leader: 1, leaderTerm: 1 });
  });

  it('refuses to decommission a broker that a move is bringing a replica to', () => {
    apply({ type: 'reassignPartitions', moves: [move(0, [4, 2, 3])], throttleBytesPerSec: 0, time: 1 });
    expect(apply({ type: 'decommissionBroker', id: 4, moves: [], time: 2 })).toMatchObject({ ok: false, code: 'REASSIGNMENT_IN_PROGRESS' });
    expect(state.broker(4)?.decommissioned).toBeUndefined();
    apply({ type: 'completeReassignment', topicId: TOPIC.topicId, partition: 0, replicas: [4, 2, 3] });
    expect(apply({ type: 'decommissionBroker', id: 4, moves: [move(0, [1, 2, 3])], time: 3 })).toEqual({ ok: true });
    // Nor can the decommission's own move be cancelled: broker 4 would keep its replica for good.
    expect(apply({ type: 'cancelReassignment', topicId: TOPIC.topicId, partition: 0 })).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    expect(assignment(0).reassignment?.target).toEqual([1, 2, 3]);
  });

  it('cancels a decommission: moves under way go back, finished ones stay, and the broker takes replicas again', () => {
    expect(apply({ type: 'decommissionBroker', id: 1, moves: [move(0, [2, 3, 4]), move(1, [2, 3, 4])], time: 1 })).toEqual({ ok: true });
    expect(apply({ type: 'completeReassignment', topicId: TOPIC.topicId, partition: 0, replicas: [2, 3, 4] })).toEqual({ ok: true });
    expect(apply({ type: 'cancelDecommission', id: 1 })).toEqual({ ok: true });
    expect(state.broker(1)?.decommissioned).toBeUndefined();
    expect(assignment(0)).toMatchObject({ replicas: [2, 3, 4] });
    expect(assignment(0).reassignment).toBeUndefined();
    expect(assignment(1).reassignment).toMatchObject({ target: [2, 3, 1], cancelled: true });
    expect(apply({ type: 'cancelDecommission', id: 1 })).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    expect(apply({ type: 'cancelDecommission', id: 9 })).toMatchObject({ ok: false, code: 'INVALID_REPLICA_ASSIGNMENT' });
  });

  it('decommissions a broker and starts its moves together, or neither when a move is refused', () => {
    expect(apply({ type: 'decommissionBroker', id: 1, moves: [move(0, [2, 3, 1])], time: 1 })).toMatchObject({ ok: false, code: 'BROKER_NOT_AVAILABLE' });
    expect(state.broker(1)?.decommissioned).toBeUndefined();
    expect(apply({ type: 'decommissionBroker', id: 1, moves: [move(0, [2, 3, 4]), move(1, [2, 3, 4])], time: 1 })).toEqual({ ok: true });
    expect(state.broker(1)?.decommissioned).toBe(true);
    expect([assignment(0).reassignment?.target, assignment(1).reassignment?.target]).toEqual([[2, 3, 4], [2, 3, 4]]);
    expect(apply({ type: 'decommissionBroker', id: 1, moves: [], time: 1 })).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    expect(apply({ type: 'decommissionBroker', id: 7, moves: [], time: 1 })).toMatchObject({ ok: false, code: 'INVALID_REPLICA_ASSIGNMENT' });
  });

  it('changes controllers one broker at a time, never to none, never onto a broker that is down', () => {
    expect(apply({ type: 'changeControllers', from: [1, 2, 3], target: [1, 2, 3, 4, 5] })).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    expect(apply({ type: 'changeControllers', from: [1, 2, 3], target: [2, 3, 4] })).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
    expect(apply({ type: 'changeControllers', from: [1], target: [] })).toMatchObject({ ok: false, code: 'INVALID_REQUEST', message: expect.stringContaining('only controller') });
    expect(apply({ type: 'changeControllers', from: [1, 2, 3], target: [1, 2, 3, 9] })).toMatchObject({ ok: false, code: 'INVALID_REPLICA_ASSIGNMENT' });
    apply({ type: 'fenceBroker', id: 4, fenced: true });
    expect(apply({ type: 'changeControllers', from: [1, 2, 3], target: [1, 2, 3, 4] })).toMatchObject({ ok: false, code: 'BROKER_NOT_AVAILABLE' });
    expect(state.controllerChange).toBeUndefined();

    // Removing a controller that is down is how a lost one is replaced.
    apply({ type: 'fenceBroker', id: 3, fenced: true });
    expect(apply({ type: 'changeControllers', from: [1, 2, 3], target: [1, 2] })).toEqual({ ok: true });
    expect(state.controllerChange).toEqual([1, 2]);
    apply({ type: 'completeControllerChange', target: [1, 3] });
    expect(state.controllerChange).toEqual([1, 2]);
    apply({ type: 'completeControllerChange', target: [2, 1] });
    expect(state.controllerChange).toBeUndefined();

    // A change stuck on a broker that died is replaced by the next, or called off.
    expect(apply({ type: 'changeControllers', from: [1, 2], target: [1, 2, 4] })).toMatchObject({ ok: false, code: 'BROKER_NOT_AVAILABLE' });
    apply({ type: 'fenceBroker', id: 4, fenced: false });
    expect(apply({ type: 'changeControllers', from: [1, 2], target: [1, 2, 4] })).toEqual({ ok: true });
    expect(apply({ type: 'changeControllers', from: [1, 2], target: [1] })).toEqual({ ok: true });
    expect(state.controllerChange).toEqual([1]);
    expect(apply({ type: 'changeControllers', from: [1, 2], target: [2, 1] })).toEqual({ ok: true });
    expect(state.controllerChange).toBeUndefined();
    expect(apply({ type: 'changeControllers', from: [1, 2], target: [1, 2] })).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
  });
});
