import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeBatch } from '@gregor/records';
import { waitFor } from '@gregor/testkit';
import type { MetadataStore } from '../src/metadata-store';
import type { TopicManager } from '../src/topic-manager';
import { SingleNode, startSingleNode } from './single-node';

describe('TopicManager over lmdb metadata', () => {
  let dir: string;
  let node: SingleNode;
  let store: MetadataStore;
  let topics: TopicManager;

  const open = async (): Promise<void> => {
    node = await startSingleNode(dir);
    store = node.store;
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
    await store.commitOffsets('g', [{ topic: 'orders', partition: 1, offset: 1, metadata: '', commitTime: 5 }]);
    const clusterId = store.clusterId();
    await reopen();
    const topic = topics.get('orders');
    expect(topic.partitions).toHaveLength(2);
    expect(topic.record.configs).toEqual({ 'segment.bytes': '2048' });
    expect(topics.partition('orders', 1).highWatermark).toBeGreaterThan(last);
    expect(topic.partitions[0]!.log.config().segmentBytes).toBe(2048);
    expect(store.fetchOffsets('g')).toEqual([{ topic: 'orders', partition: 1, offset: 1, metadata: '', commitTime: 5 }]);
    expect(store.clusterId()).toBe(clusterId);
  });

  it('gives a re-created topic a fresh empty log and drops the old offsets', async () => {
    await topics.create('t', 1, {});
    await append('t', 0, 'old');
    await store.commitOffsets('g', [{ topic: 't', partition: 0, offset: 1, metadata: '', commitTime: 1 }]);
    await topics.delete('t');
    await topics.create('t', 1, {});
    expect(topics.partition('t', 0).logEndOffset).toBeLessThanOrEqual(1);
    expect(store.fetchOffsets('g')).toEqual([]);
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
    await topics.create('dup', 1, {});
    await expect(topics.create('dup', 1, {})).rejects.toMatchObject({ code: 'TOPIC_EXISTS' });
    expect(topics.list().map((t) => t.record.name)).toEqual(['dup']);
    expect(() => topics.partition('dup', 1)).toThrow(/unknown partition 1 of topic "dup"/);
  });
});
