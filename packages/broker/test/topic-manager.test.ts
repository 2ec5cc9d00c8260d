import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeBatch } from '@gregor/records';
import { waitFor } from '@gregor/testkit';
import type { TopicManager } from '../src/topic-manager';
import { SingleNode, startSingleNode } from './single-node';

describe('TopicManager over lmdb metadata', () => {
  let dir: string;
  let node: SingleNode;
  let topics: TopicManager;

  const open = async (): Promise<void> => {
    node = await startSingleNode(dir);
    topics = node.topics;
  };
  const reopen = async (): Promise<void> => {
    await node.close();
    await open();
  };
  const append = async (topic: string, partition: number, value: string): Promise<number> => {
    const replica = topics.partition(topic, partition);
    await waitFor(() => replica.replication.isLeader, 10_000, 'a leader');
    return (await replica.append(encodeBatch([{ key: null, value: Buffer.from(value) }]))).lastOffset;
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-topics-'));
    await open();
  });
  afterEach(async () => {
    await node.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('grows a topic: new partitions open and take writes, old ones keep their data, and the count survives a reopen', async () => {
    await topics.create('growing', 2, {});
    const before = await append('growing', 1, 'kept');
    await topics.addPartitions('growing', 4);
    expect(topics.get('growing').partitions).toHaveLength(4);
    expect(await append('growing', 3, 'new')).toBe(0);
    await reopen();
    expect(topics.get('growing').record.partitions).toBe(4);
    expect(topics.partition('growing', 1).highWatermark).toBeGreaterThan(before);
    expect(topics.partition('growing', 3).highWatermark).toBeGreaterThan(0);
  });

  it('refuses to shrink a topic, to keep its count, or to pass the partition limit, changing nothing', async () => {
    await topics.create('fixed', 2, {});
    for (const count of [1, 2, 9, 2.5]) {
      await expect(topics.addPartitions('fixed', count)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    }
    await expect(topics.addPartitions('nosuch', 3)).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC' });
    expect(topics.get('fixed').record.partitions).toBe(2);
  });

  it('keeps topics, configs, data and committed offsets across a reopen', async () => {
    await topics.create('orders', 0, { 'retention.ms': '1000' });
    const last = await append('orders', 1, 'x');
    await topics.alterConfigs('orders', { 'segment.bytes': '2048' }, ['retention.ms']);
    const clusterId = node.cluster.state.clusterId;
    await reopen();
    const topic = topics.get('orders');
    expect(topic.partitions).toHaveLength(2);
    expect(topic.record.configs).toEqual({ 'segment.bytes': '2048' });
    expect(topics.partition('orders', 1).highWatermark).toBeGreaterThan(last);
    expect(topic.partitions[0]!.log.config().segmentBytes).toBe(2048);
    expect(node.cluster.state.clusterId).toBe(clusterId);
  });

  it('gives a re-created topic a fresh empty log', async () => {
    await topics.create('t', 1, {});
    await append('t', 0, 'old');
    await topics.delete('t');
    await topics.create('t', 1, {});
    expect(topics.partition('t', 0).logEndOffset).toBeLessThanOrEqual(1);
    expect(fs.readdirSync(path.join(dir, 'topics'))).toHaveLength(1);
  });

  it('removes log directories no topic owns (a crash mid-create or mid-delete)', async () => {
    fs.mkdirSync(path.join(dir, 'topics', 'ghost-0123456789abcdef', '0'), { recursive: true });
    await reopen();
    expect(fs.readdirSync(path.join(dir, 'topics'))).toEqual([]);
  });

  it('refuses bad names, partition counts and duplicate topics without side effects', async () => {
    await expect(topics.create('..', 1, {})).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
    await expect(topics.create('x'.repeat(250), 1, {})).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
    await expect(topics.create('big', 9, {})).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(topics.create('wide', 1, {}, 2)).rejects.toMatchObject({ code: 'INVALID_REPLICATION_FACTOR', message: expect.stringMatching(/replication factor 2 exceeds the 1 live broker/) });
    await topics.create('dup', 1, {});
    await expect(topics.create('dup', 1, {})).rejects.toMatchObject({ code: 'TOPIC_EXISTS' });
    expect(topics.list().map((t) => t.record.name)).toEqual(['dup']);
    expect(() => topics.partition('dup', 1)).toThrow(/unknown partition 1 of topic "dup"/);
  });
});
