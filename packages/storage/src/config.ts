import { StorageError } from './errors';

export type FlushPolicy =
  | { kind: 'always' }
  | { kind: 'interval'; intervalMs: number; intervalBytes: number };

/** Kafka's cleanup.policy: delete old segments, keep the latest record per key, or both. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export const CLEANUP_POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];

export interface LogConfig {
  /** A segment rolls before it would grow past this many bytes. */
  segmentBytes: number;
  /** A segment rolls once its first batch is this old. */
  segmentMs: number;
  /** Bytes of log between two offset-index entries. */
  indexIntervalBytes: number;
  /** Largest size of one segment's .index or .timeindex file; a full index rolls the segment. */
  segmentIndexBytes: number;
  /** Oldest segments are deleted while the log is larger than this; -1 keeps everything. */
  retentionBytes: number;
  /** Segments whose newest timestamp is older than this are deleted; -1 keeps everything. */
  retentionMs: number;
  /** Largest batch accepted, in bytes. */
  maxMessageBytes: number;
  flush: FlushPolicy;
  /** Retention deletes segments only under 'delete'; the cleaner compacts only under 'compact'. */
  cleanupPolicy: CleanupPolicy;
  /** The cleaner runs once the uncleaned share of the cleanable bytes reaches this. */
  minCleanableDirtyRatio: number;
  /** A tombstone stays this long after its batch's timestamp, so consumers behind can see the delete. */
  deleteRetentionMs: number;
  /** Records stay uncompacted at least this long after their batch's timestamp. */
  minCompactionLagMs: number;
  /** A dirty segment older than this is cleaned whatever the dirty ratio. */
  maxCompactionLagMs: number;
}

export function deletesOldSegments(config: LogConfig): boolean {
  return config.cleanupPolicy !== 'compact';
}

export function compacts(config: LogConfig): boolean {
  return config.cleanupPolicy !== 'delete';
}

const GiB = 1024 * 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: GiB,
  segmentMs: 7 * DAY_MS,
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10 * 1024 * 1024,
  retentionBytes: -1,
  retentionMs: 7 * DAY_MS,
  maxMessageBytes: 1024 * 1024,
  flush: Object.freeze({ kind: 'always' }) as FlushPolicy,
  cleanupPolicy: 'delete',
  minCleanableDirtyRatio: 0.5,
  deleteRetentionMs: DAY_MS,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
});

/** Segment positions are 32-bit in the index files, so a segment can never exceed 2 GiB. */
const MAX_SEGMENT_BYTES = 2 ** 31 - 1;
const MIN_SEGMENT_BYTES = 1024;

export function resolveLogConfig(overrides: Partial<LogConfig> = {}, base: LogConfig = DEFAULT_LOG_CONFIG): LogConfig {
  const config: LogConfig = { ...base, ...overrides };
  const positive = (name: string, value: number, min = 1, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new StorageError('INVALID_CONFIG', `${name} must be an integer in [${min}, ${max}], got ${value}`);
    }
  };
  positive('segmentBytes', config.segmentBytes, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
  positive('segmentMs', config.segmentMs);
  positive('indexIntervalBytes', config.indexIntervalBytes, 0);
  positive('segmentIndexBytes', config.segmentIndexBytes, 12);
  positive('maxMessageBytes', config.maxMessageBytes, 61);
  if (config.retentionBytes !== -1) positive('retentionBytes', config.retentionBytes, 0);
  if (config.retentionMs !== -1) positive('retentionMs', config.retentionMs, 0);
  if (!CLEANUP_POLICIES.includes(config.cleanupPolicy)) {
    throw new StorageError('INVALID_CONFIG', `cleanupPolicy must be one of ${CLEANUP_POLICIES.join(', ')}, got ${String(config.cleanupPolicy)}`);
  }
  if (!(config.minCleanableDirtyRatio >= 0 && config.minCleanableDirtyRatio <= 1)) {
    throw new StorageError('INVALID_CONFIG', `minCleanableDirtyRatio must be in [0, 1], got ${config.minCleanableDirtyRatio}`);
  }
  positive('deleteRetentionMs', config.deleteRetentionMs, 0);
  positive('minCompactionLagMs', config.minCompactionLagMs, 0);
  positive('maxCompactionLagMs', config.maxCompactionLagMs, 1);
  const flush = config.flush;
  if (flush.kind === 'interval') {
    positive('flush.intervalMs', flush.intervalMs);
    positive('flush.intervalBytes', flush.intervalBytes);
  } else if (flush.kind !== 'always') {
    throw new StorageError('INVALID_CONFIG', `flush policy must be 'always' or 'interval'`);
  }
  return config;
}
