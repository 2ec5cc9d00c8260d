import * as fs from 'node:fs';
import * as path from 'node:path';
import { BATCH_LENGTH_POS, LOG_OVERHEAD, decodeBatch, isControlBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { ReplicaBatch, ReplicaLog } from './history';

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The partition directories of `topic` in a stopped broker's data directory:
 * <dataDir>/topics/<topic>-<topicId>/<partition>/. Several when the topic was
 * deleted and created again; each is read as its own replica.
 */
export function partitionDirs(dataDir: string, topic: string): Array<{ partition: number; dir: string }> {
  const topicsDir = path.join(dataDir, 'topics');
  if (!fs.existsSync(topicsDir)) return [];
  const found: Array<{ partition: number; dir: string }> = [];
  for (const topicDir of fs.readdirSync(topicsDir)) {
    if (!topicDir.startsWith(`${topic}-`)) continue;
    for (const entry of fs.readdirSync(path.join(topicsDir, topicDir))) {
      if (/^\d+$/.test(entry)) found.push({ partition: Number(entry), dir: path.join(topicsDir, topicDir, entry) });
    }
  }
  return found.sort((a, b) => a.partition - b.partition);
}

/** Reads one partition directory batch by batch (CRC-checked), with each data record's value as UTF-8. */
export async function readReplicaLog(brokerId: number, partition: number, dir: string): Promise<ReplicaLog> {
  const log = await PartitionLog.open(dir);
  try {
    const batches: ReplicaBatch[] = [];
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const { bytes, nextOffset } = log.readNow(offset, READ_CHUNK_BYTES);
      let position = 0;
      while (position + LOG_OVERHEAD <= bytes.length) {
        const size = LOG_OVERHEAD + bytes.readInt32BE(position + BATCH_LENGTH_POS);
        const decoded = decodeBatch(bytes, position);
        const { baseOffset, lastOffsetDelta, attributes } = decoded.header;
        const control = decoded.control || isControlBatch(attributes);
        batches.push({
          baseOffset,
          lastOffset: baseOffset + lastOffsetDelta,
          control,
          bytes: Buffer.from(bytes.subarray(position, position + size)),
          records: control ? [] : decoded.records.map((r) => ({ offset: r.offset, value: r.value?.toString('utf8') ?? '' })),
        });
        position += size;
      }
      if (nextOffset <= offset) break;
      offset = nextOffset;
    }
    return { brokerId, partition, logStartOffset: log.logStartOffset, batches };
  } finally {
    await log.close();
  }
}

/** Every replica of `topic` held by the given brokers' data directories. */
export async function readReplicaLogs(dataDirs: ReadonlyMap<number, string>, topic: string): Promise<ReplicaLog[]> {
  const logs: ReplicaLog[] = [];
  for (const [brokerId, dataDir] of dataDirs) {
    for (const { partition, dir } of partitionDirs(dataDir, topic)) logs.push(await readReplicaLog(brokerId, partition, dir));
  }
  return logs;
}
