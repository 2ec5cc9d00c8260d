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
    await expect(topics.create('wide', 1, {}, 2)).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/replication factor 2 exceeds the 1 live broker/) });
    await topics.create('dup', 1, {});
    await expect(topics.create('dup', 1, {})).rejects.toMatchObject({ code: 'TOPIC_EXISTS' });
    expect(topics.list().map((t) => t.record.name)).toEqual(['dup']);
    expect(() => topics.partition('dup', 1)).toThrow(/unknown partition 1 of topic "dup"/);
  });
});
