import type { BrokerSurface, PartitionWatch, SurfaceTopic } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { kafkaTopicId } from '../../topic-ids';
import { VersionedReader, VersionedWriter } from '../../versioned';
import type { FetchPartitionResponse, FetchRequest, FetchResponse } from './types';
import { decodeRequest, encodeResponse } from './v4-v13';

export const FETCH_KEY = 1;

/** The longest a fetch may wait for data, whatever the client asks. */
const MAX_WAIT_MS = 30_000;

interface Asked {
  name: string;
  topicId: Buffer;
  partition: number;
  offset: number;
  maxBytes: number;
}

/**
 * Fetch: whole batches read from the leader's segment files, never past the high watermark,
 * sent as they are stored. It long-polls: while fewer than min_bytes are ready it waits for any
 * asked partition's high watermark to move, up to max_wait_ms. The first partition with data
 * is answered whole even past max_bytes, as Kafka does, so a big batch cannot stall a consumer.
 */
export function serveFetch(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return async (header, body, out) => {
    const version = header.apiVersion;
    const request = decodeRequest(new VersionedReader(body, version, version >= flexibleFrom));
    const response = await answer(surface, request);
    encodeResponse(new VersionedWriter(out, version, version >= flexibleFrom), response);
  };
}

async function answer(surface: BrokerSurface, request: FetchRequest): Promise<FetchResponse> {
  const topics = surface.topics();
  const unknown: FetchResponse['topics'] = [];
  const asked: Asked[] = [];
  for (const t of request.topics) {
    const topic = findTopic(topics, t.name, t.topicId);
    if (!topic) {
      unknown.push({ name: t.name ?? '', topicId: t.topicId ?? Buffer.alloc(16), partitions: t.partitions.map((p) => failed(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) });
      continue;
    }
    for (const p of t.partitions) asked.push({ name: topic.name, topicId: kafkaTopicId(topic.topicId), partition: p.partition, offset: p.fetchOffset, maxBytes: Math.max(0, p.partitionMaxBytes) });
  }
  const deadline = Date.now() + Math.min(Math.max(0, request.maxWaitMs), MAX_WAIT_MS);
  for (;;) {
    const read = await readAll(surface, asked, Math.max(1, request.maxBytes));
    const bytes = read.reduce((sum, r) => sum + (r.records?.length ?? 0), 0);
    const left = deadline - Date.now();
    const failures = read.some((r) => r.errorCode !== ErrorCode.NONE);
    if (bytes >= request.minBytes || left <= 0 || failures || surface.shutdownSignal.aborted) return { errorCode: ErrorCode.NONE, topics: [...group(asked, read), ...unknown] };
    const watches: PartitionWatch[] = asked.map((a, i) => ({ topic: a.name, partition: a.partition, highWatermark: read[i].highWatermark }));
    await surface.waitForData(watches, left, surface.shutdownSignal);
  }
}

async function readAll(surface: BrokerSurface, asked: readonly Asked[], maxBytes: number): Promise<FetchPartitionResponse[]> {
  let budget = maxBytes;
  const read: FetchPartitionResponse[] = [];
  for (const a of asked) {
    try {
      const got = await surface.read(a.name, a.partition, a.offset, Math.min(a.maxBytes, budget));
      budget = Math.max(0, budget - got.bytes.length);
      read.push({ partitionIndex: a.partition, errorCode: ErrorCode.NONE, highWatermark: got.highWatermark, logStartOffset: got.logStartOffset, records: got.bytes });
    } catch (err) {
      read.push(failed(a.partition, kafkaErrorCode(err)));
    }
  }
  return read;
}

function failed(partitionIndex: number, errorCode: number): FetchPartitionResponse {
  return { partitionIndex, errorCode, highWatermark: -1, logStartOffset: -1, records: null };
}

/** Partitions back under their topics, in the order asked. */
function group(asked: readonly Asked[], read: readonly FetchPartitionResponse[]): FetchResponse['topics'] {
  const topics: FetchResponse['topics'] = [];
  asked.forEach((a, i) => {
    const last = topics[topics.length - 1];
    if (last && last.name === a.name) last.partitions.push(read[i]);
    else topics.push({ name: a.name, topicId: a.topicId, partitions: [read[i]] });
  });
  return topics;
}

function findTopic(topics: readonly SurfaceTopic[], name: string | null, topicId: Buffer | null): SurfaceTopic | undefined {
  return topicId ? topics.find((t) => kafkaTopicId(t.topicId).equals(topicId)) : topics.find((t) => t.name === name);
}
