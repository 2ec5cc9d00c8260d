import { type Admin, type Cluster, Consumer, type ConsumerRecord } from '@gregor/client';
import { ConsoleError } from './console-error';

/** Records one request may show at most: a large partition is never read whole. */
export const MAX_MESSAGES = 100;
const DEFAULT_MESSAGES = 20;
/** How long reading the records may take before the answer is what was read. */
const READ_TIMEOUT_MS = 5000;

export interface BrowsedBytes {
  /** UTF-8 text, or base64 where the bytes are not valid UTF-8. */
  text: string;
  encoding: 'utf8' | 'base64';
}

export interface BrowsedRecord {
  offset: number;
  timestamp: number;
  key: BrowsedBytes | null;
  value: BrowsedBytes | null;
  headers: Array<{ key: string; value: BrowsedBytes | null }>;
}

export interface BrowsedMessages {
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  /** The offset reading started at. */
  from: number;
  records: BrowsedRecord[];
}

function bytesOf(buffer: Buffer | null): BrowsedBytes | null {
  if (buffer === null) return null;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buffer);
  return Buffer.from(text, 'utf8').equals(buffer) ? { text, encoding: 'utf8' } : { text: buffer.toString('base64'), encoding: 'base64' };
}

function browsed(record: ConsumerRecord): BrowsedRecord {
  return {
    offset: record.offset,
    timestamp: record.timestamp,
    key: bytesOf(record.key),
    value: bytesOf(record.value),
    headers: record.headers.map((h) => ({ key: h.key, value: bytesOf(h.value) })),
  };
}

/** A whole number from the query, or undefined when absent; anything else is refused. */
function integerParam(url: URL, name: string, min: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min) {
    throw ConsoleError.badRequest(`${name} must be a whole number of at least ${min}, not ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/**
 * `GET /api/messages?topic=T&partition=P[&offset=O | &timestamp=MS][&limit=N]`: up to `limit`
 * records (default 20, at most 100) from the offset, from the first record at or after the
 * timestamp, or else the last `limit` of the partition. An offset outside the partition's
 * range is refused, saying the range.
 */
export async function browseMessages(admin: Admin, cluster: Cluster, url: URL): Promise<BrowsedMessages> {
  const topic = url.searchParams.get('topic');
  if (!topic) throw ConsoleError.badRequest('topic is required');
  const partition = integerParam(url, 'partition', 0) ?? 0;
  const limit = Math.min(integerParam(url, 'limit', 1) ?? DEFAULT_MESSAGES, MAX_MESSAGES);
  const offset = integerParam(url, 'offset', 0);
  const timestamp = integerParam(url, 'timestamp', 0);
  if (offset !== undefined && timestamp !== undefined) throw ConsoleError.badRequest('give offset or timestamp, not both');
  const description = await admin.describeTopic(topic);
  const found = description.partitions.find((p) => p.partition === partition);
  if (!found) throw ConsoleError.badRequest(`${topic} has partitions 0 to ${description.partitions.length - 1}, not ${partition}`);
  const [{ logStartOffset, highWatermark }] = await admin.listOffsets(topic, 'latest', [partition]);
  let from: number;
  if (offset !== undefined) {
    if (offset < logStartOffset || offset > highWatermark) {
      throw new ConsoleError(400, `offset ${offset} is out of range for ${topic}-${partition}: log start offset ${logStartOffset}, end offset ${highWatermark}`);
    }
    from = offset;
  } else if (timestamp !== undefined) {
    const [at] = await admin.listOffsets(topic, { timestamp }, [partition]);
    from = at.offset >= 0 ? at.offset : highWatermark;
  } else {
    from = Math.max(logStartOffset, highWatermark - limit);
  }
  return { topic, partition, logStartOffset, highWatermark, from, records: await readRecords(cluster, topic, partition, from, Math.min(highWatermark, from + limit), limit) };
}

/** Records of [from, end), at most `limit`; fewer if reading them takes past the timeout. */
async function readRecords(cluster: Cluster, topic: string, partition: number, from: number, end: number, limit: number): Promise<BrowsedRecord[]> {
  if (from >= end) return [];
  const consumer = new Consumer({ cluster, maxBytes: 1024 * 1024, maxBufferedBytes: 4 * 1024 * 1024 });
  const tp = { topic, partition };
  const records: BrowsedRecord[] = [];
  const timer = setTimeout(() => void consumer.close(), READ_TIMEOUT_MS);
  try {
    await consumer.assign([tp], from);
    for await (const batch of consumer.batches()) {
      for (const record of batch) if (record.offset < end && records.length < limit) records.push(browsed(record));
      if (records.length >= limit || consumer.position(tp) >= end) break;
    }
    return records;
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
}
