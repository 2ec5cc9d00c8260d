import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeBatch, encodeControlBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { checkHistory } from '../../src/chaos/checker';
import { partitionDirs, readReplicaLogs } from '../../src/chaos/replica-reader';

const values = (...v: string[]) => v.map((value) => ({ key: null, value: Buffer.from(value), timestamp: 1_700_000_000_000 }));

describe('readReplicaLogs', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gregor-replicas-'));
  });
  afterEach(async () => {
    await fs.promises.rm(root, { recursive: true, force: true });
  });

  /** Writes a broker data directory holding partition dirs of topic `chaos` (and one of another topic). */
  async function writeBroker(brokerId: number, tail: string[]): Promise<string> {
    const dataDir = path.join(root, `broker-${brokerId}`);
    for (const [topicDir, partition] of [['chaos-abc123', 0], ['chaos-abc123', 1], ['other-def456', 0]] as const) {
      const log = await PartitionLog.open(path.join(dataDir, 'topics', topicDir, String(partition)));
      await log.append(encodeControlBatch('leader-noop', null, { baseTimestamp: 1_700_000_000_000 }), 1);
      await log.append(encodeBatch(values(`${topicDir}/${partition}-a`, `${topicDir}/${partition}-b`)), 1);
      await log.append(encodeBatch(values(...tail.map((t) => `${partition}-${t}`))), 2);
      await log.close();
    }
    fs.writeFileSync(path.join(dataDir, 'topics', 'chaos-abc123', '0', 'raft-state'), 'not a segment');
    return dataDir;
  }

  test('reads every replica of the topic, batch by batch, control batches marked', async () => {
    const dirs = new Map([[1, await writeBroker(1, ['c'])], [2, await writeBroker(2, ['c'])]]);
    expect(partitionDirs(dirs.get(1)!, 'chaos').map((p) => p.partition)).toEqual([0, 1]);
    const logs = await readReplicaLogs(dirs, 'chaos');
    expect(logs.map((l) => [l.brokerId, l.partition])).toEqual([[1, 0], [1, 1], [2, 0], [2, 1]]);
    const [first] = logs;
    expect(first.logStartOffset).toBe(0);
    expect(first.batches.map((b) => [b.baseOffset, b.lastOffset, b.control])).toEqual([[0, 0, true], [1, 2, false], [3, 3, false]]);
    expect(first.batches[1].records).toEqual([{ offset: 1, value: 'chaos-abc123/0-a' }, { offset: 2, value: 'chaos-abc123/0-b' }]);
    expect(first.batches[1].bytes.readInt32BE(12)).toBe(1); // the term stamped by the leader

    const history = { partitions: 2, acks: [], observations: [], replicas: logs, highWatermarks: new Map([[0, 4], [1, 4]]), finalReads: new Map() };
    expect(checkHistory(history)).toMatchObject({ duplicated: 0, divergent: 0 });
  });

  test('replicas that differ on disk are reported divergent', async () => {
    const dirs = new Map([[1, await writeBroker(1, ['c'])], [2, await writeBroker(2, ['x'])]]);
    const replicas = await readReplicaLogs(dirs, 'chaos');
    const history = { partitions: 2, acks: [], observations: [], replicas, highWatermarks: new Map([[0, 4], [1, 4]]), finalReads: new Map() };
    expect(checkHistory(history).divergent).toBe(2);
  });

  test('a data directory without topics holds no replicas', async () => {
    expect(await readReplicaLogs(new Map([[1, path.join(root, 'empty')]]), 'chaos')).toEqual([]);
  });
});
