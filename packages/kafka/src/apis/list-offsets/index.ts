import type { BrokerSurface, OffsetQuery } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { VersionedReader, VersionedWriter } from '../../versioned';
import type { ListOffsetsPartitionResponse } from './types';
import { decodeRequest, encodeResponse } from './v1-v7';

export const LIST_OFFSETS_KEY = 2;

/** Kafka's special timestamps: the next offset to be written, the first one kept, and (from v7) the record with the largest timestamp. */
const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const MAX_TIMESTAMP_FROM_VERSION = 7;

function queryOf(timestamp: number, version: number): OffsetQuery | null {
  if (timestamp === LATEST) return 'latest';
  if (timestamp === EARLIEST) return 'earliest';
  if (timestamp === MAX_TIMESTAMP && version >= MAX_TIMESTAMP_FROM_VERSION) return 'max-timestamp';
  return timestamp >= 0 ? { timestamp } : null;
}

/** ListOffsets on each partition's leader: earliest, latest (the high watermark), the record with the largest timestamp (v7), or the first offset at or after a timestamp. */
export function serveListOffsets(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return async (header, body, out) => {
    const version = header.apiVersion;
    const request = decodeRequest(new VersionedReader(body, version, version >= flexibleFrom));
    const topics = await Promise.all(request.topics.map(async (topic) => ({
      name: topic.name,
      partitions: await Promise.all(topic.partitions.map(async (p): Promise<ListOffsetsPartitionResponse> => {
        const query = queryOf(p.timestamp, version);
        if (!query) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.INVALID_REQUEST, timestamp: -1, offset: -1, leaderEpoch: -1 };
        try {
          const found = await surface.listOffset(topic.name, p.partitionIndex, query);
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, ...found };
        } catch (err) {
          return { partitionIndex: p.partitionIndex, errorCode: kafkaErrorCode(err), timestamp: -1, offset: -1, leaderEpoch: -1 };
        }
      })),
    })));
    encodeResponse(new VersionedWriter(out, version, version >= flexibleFrom), { topics });
  };
}
