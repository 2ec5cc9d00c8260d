import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeBatch } from '@gregor/records';
import { waitFor } from '@gregor/testkit';
import type { PartitionReplica } from '../src/partition-replica';
import { SingleNode, startSingleNode } from './single-node';

describe('PartitionReplica', () => {
  let dir: string;
  let node: SingleNode;
  let replica: PartitionReplica;
  const batch = (...values: string[]): Buffer => encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));

  async function open(): Promise<void> {
    node = await startSingleNode(dir);
    if (!node.cluster.state.topic('t')) await node.topics.create('t', 1, {});
    replica = node.topics.partition('t', 0);
    await waitFor(() => replica.replication.isLeader, 10_000, 'a leader');
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-replica-'));
    await open();
  });
  afterEach(async () => {
    await node.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('moves the high watermark when an append commits and wakes waiters without polling', async () => {
    const start = replica.highWatermark;
    const waiting = replica.waitForData(start, null);
    let woken = false;
    void waiting.then(() => (woken = true));
    await Promise.resolve();
    expect(woken).toBe(false);
    const result = await replica.append(batch('a', 'b'));
    expect(result.baseOffset).toBe(start);
    expect(await waiting).toBe(true);
    expect(replica.highWatermark).toBe(start + 2);
  });

  it('ends waiters with false on timeout and abort, and with SHUTTING_DOWN when the replica closes', async () => {
    const hw = replica.highWatermark;
    expect(await replica.waitForData(hw, 10)).toBe(false);
    const abort = new AbortController();
    const aborted = replica.waitForData(hw, null, abort.signal);
    abort.abort();
    expect(await aborted).toBe(false);
    const closing = replica.waitForData(hw, null);
    const closed = replica;
    await node.close();
    await expect(closing).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(closed.waitForData(hw, null)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await open();
  });

  it('reads from the high watermark as empty and refuses offsets outside the log', async () => {
    const { lastOffset } = await replica.append(batch('a'));
    expect((await replica.read(lastOffset + 1, 1000)).bytes).toHaveLength(0);
    await expect(replica.read(lastOffset + 2, 1000)).rejects.toMatchObject({
      code: 'OFFSET_OUT_OF_RANGE',
      message: expect.stringMatching(new RegExp(`t-0: log start offset 0, end offset ${lastOffset + 1}`)),
    });
    await expect(replica.read(-1, 1000)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
  });

  it('starts with the high watermark at the persisted commit index', async () => {
    const { lastOffset } = await replica.append(batch('a', 'b', 'c'));
    await node.close();
    await open();
    expect(replica.highWatermark).toBeGreaterThanOrEqual(lastOffset + 1);
  });
});
