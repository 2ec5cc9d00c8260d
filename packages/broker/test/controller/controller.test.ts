import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open, RootDatabase } from 'lmdb';
import type { Message } from '@gregor/raft';
import { mulberry32, testSeed, waitFor } from '@gregor/testkit';
import { ClusterState } from '../../src/controller/cluster-state';
import { Controller } from '../../src/controller/controller';
import { silentLogger } from '../../src/logger';

describe('Controller', () => {
  const controllers = new Map<number, Controller>();
  const roots: RootDatabase[] = [];
  let timer: NodeJS.Timeout;

  afterEach(async () => {
    clearInterval(timer);
    for (const c of controllers.values()) await c.close();
    controllers.clear();
    for (const r of roots.splice(0)) await r.close();
  });

  /** Brokers cut off: messages to or from them are lost. */
  const cutOff = new Set<number>();
  /**
   * Which start() the running controllers come from: a message still queued when a test ends
   * belongs to its cluster, and delivered to the next test's fresh controllers it would claim
   * entries they never had.
   */
  let generation = 0;

  async function start(seed: number, options: { snapshotEveryEntries?: number; segmentBytes?: number } = {}): Promise<void> {
    cutOff.clear();
    const cluster = ++generation;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-controller-'));
    for (const id of [1, 2, 3, 4]) {
      const db = open({ path: path.join(root, `b${id}`, 'lmdb') });
      roots.push(db);
      const controller = await Controller.open({
        brokerId: id,
        voters: [1, 2, 3],
        learners: [4],
        dir: path.join(root, `b${id}`, 'metadata'),
        state: ClusterState.open(db),
        transport: {
          send: (_g, messages: readonly Message[]) =>
            messages.forEach((m) => {
              if (cutOff.has(m.from) || cutOff.has(m.to)) return;
              setImmediate(() => {
                if (generation === cluster) controllers.get(m.to)?.replica.step(m);
              });
            }),
        },
        random: mulberry32(seed + id),
        electionTick: 10,
        heartbeatTick: 1,
        forward: (leader, command) => controllers.get(leader)!.proposeLocally(command),
        logger: silentLogger,
        ...options,
      });
      controllers.set(id, controller);
    }
    timer = setInterval(() => controllers.forEach((c) => c.replica.tick()), 5);
  }

  it('applies commands proposed on any broker on every broker, learners included', async () => {
    await start(testSeed('controller'));
    await waitFor(() => [...controllers.values()].some((c) => c.isLeader), 10_000, 'a controller leader');
    await waitFor(() => controllers.get(4)!.leaderId !== 0, 10_000, 'the learner knows the leader');
    const result = await controllers.get(4)!.propose({ type: 'allocateProducerIds', count: 5 });
    expect(result).toEqual({ ok: true, value: 1000 });
    expect(await controllers.get(2)!.propose({ type: 'registerBroker', id: 9, address: 'x:1', time: 1 })).toEqual({ ok: true });
    await waitFor(() => [...controllers.values()].every((c) => c.state.broker(9)?.address === 'x:1'), 10_000, 'every broker applied');
    const leader = [...controllers.values()].find((c) => c.isLeader)!;
    expect(leader.replica.node.status().config.voters).toEqual([1, 2, 3]);
    expect([1, 2, 3]).toContain(leader.leaderId);
  });

  it('holds a command proposed during an election until a leader is known, instead of refusing it', async () => {
    await start(testSeed('controller election'));
    expect(controllers.get(4)!.leaderId).toBe(0);
    const result = await controllers.get(4)!.propose({ type: 'allocateProducerIds', count: 5 });
    expect(result).toEqual({ ok: true, value: 1000 });
  });

  it('snapshots its state, deletes the log before it, and sends the snapshot to a learner too far behind', async () => {
    await start(testSeed('controller snapshots'), { snapshotEveryEntries: 20, segmentBytes: 1024 });
    await waitFor(() => controllers.get(4)!.leaderId !== 0, 10_000, 'the learner knows the leader');
    cutOff.add(4);
    for (let id = 100; id < 130; id++) await controllers.get(1)!.propose({ type: 'registerBroker', id, address: `h:${id}`, time: id });
    // Proposed together, so that a snapshot point passes some of them as they are answered: each still hears it committed.
    const together = await Promise.all(Array.from({ length: 30 }, (_, i) => controllers.get(1)!.propose({ type: 'registerBroker', id: 130 + i, address: `h:${130 + i}`, time: 130 + i })));
    expect(together).toEqual(Array.from({ length: 30 }, () => ({ ok: true })));
    const leader = [...controllers.values()].find((c) => c.isLeader)!;
    await waitFor(() => leader.logStartOffset > 20, 10_000, "the leader's log deleted before a snapshot");
    const learner = controllers.get(4)!;
    expect(learner.state.broker(159)).toBeUndefined();
    cutOff.delete(4);
    // The state takes the snapshot in before the log restarts after it: both, to be caught up.
    await waitFor(() => learner.state.broker(159)?.address === 'h:159' && learner.logStartOffset > 0, 10_000, 'the learner caught up from the snapshot');
    expect(learner.state.brokers().map((b) => b.id)).toEqual(leader.state.brokers().map((b) => b.id));
    expect(await learner.propose({ type: 'allocateProducerIds', count: 1 })).toMatchObject({ ok: true });
  });
});
