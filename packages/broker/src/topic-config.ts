import { CLEANUP_POLICIES, CleanupPolicy, DEFAULT_LOG_CONFIG, FlushPolicy, LogConfig } from '@gregor/storage';
import { BrokerError } from './errors';

/**
 * Topic configs travel and are stored as Kafka-style string key/values; this
 * module checks them and turns them into the storage LogConfig.
 */
interface IntKey {
  field: Exclude<keyof LogConfig, 'flush' | 'cleanupPolicy' | 'minCleanableDirtyRatio'> | 'flushIntervalMs' | 'flushIntervalBytes';
  min: number;
  max: number;
  unlimited?: true; // -1 allowed
}

const INT_KEYS: Readonly<Record<string, IntKey>> = {
  'retention.ms': { field: 'retentionMs', min: 0, max: Number.MAX_SAFE_INTEGER, unlimited: true },
  'retention.bytes': { field: 'retentionBytes', min: 0, max: Number.MAX_SAFE_INTEGER, unlimited: true },
  'segment.bytes': { field: 'segmentBytes', min: 1024, max: 2 ** 31 - 1 },
  'segment.ms': { field: 'segmentMs', min: 1, max: Number.MAX_SAFE_INTEGER },
  'segment.index.bytes': { field: 'segmentIndexBytes', min: 1024, max: 2 ** 31 - 1 },
  'index.interval.bytes': { field: 'indexIntervalBytes', min: 0, max: 2 ** 31 - 1 },
  'max.message.bytes': { field: 'maxMessageBytes', min: 61, max: 2 ** 31 - 1 },
  'flush.interval.ms': { field: 'flushIntervalMs', min: 1, max: 2 ** 31 - 1 },
  'flush.interval.bytes': { field: 'flushIntervalBytes', min: 1, max: Number.MAX_SAFE_INTEGER },
  'delete.retention.ms': { field: 'deleteRetentionMs', min: 0, max: Number.MAX_SAFE_INTEGER },
  'min.compaction.lag.ms': { field: 'minCompactionLagMs', min: 0, max: Number.MAX_SAFE_INTEGER },
  'max.compaction.lag.ms': { field: 'maxCompactionLagMs', min: 1, max: Number.MAX_SAFE_INTEGER },
};

const FLUSH_POLICY = 'flush.policy';
const CLEANUP_POLICY = 'cleanup.policy';
const DIRTY_RATIO = 'min.cleanable.dirty.ratio';

export const TOPIC_CONFIG_KEYS: readonly string[] = [...Object.keys(INT_KEYS), FLUSH_POLICY, CLEANUP_POLICY, DIRTY_RATIO].sort();

const DEFAULT_FLUSH_INTERVAL_MS = 1000;
const DEFAULT_FLUSH_INTERVAL_BYTES = 1024 * 1024;

/** Storage defaults as config strings. */
export function builtInTopicDefaults(): Record<string, string> {
  const d = DEFAULT_LOG_CONFIG;
  return {
    'retention.ms': String(d.retentionMs),
    'retention.bytes': String(d.retentionBytes),
    'segment.bytes': String(d.segmentBytes),
    'segment.ms': String(d.segmentMs),
    'segment.index.bytes': String(d.segmentIndexBytes),
    'index.interval.bytes': String(d.indexIntervalBytes),
    'max.message.bytes': String(d.maxMessageBytes),
    'flush.policy': d.flush.kind,
    'flush.interval.ms': String(d.flush.kind === 'interval' ? d.flush.intervalMs : DEFAULT_FLUSH_INTERVAL_MS),
    'flush.interval.bytes': String(d.flush.kind === 'interval' ? d.flush.intervalBytes : DEFAULT_FLUSH_INTERVAL_BYTES),
    'cleanup.policy': d.cleanupPolicy,
    'min.cleanable.dirty.ratio': String(d.minCleanableDirtyRatio),
    'delete.retention.ms': String(d.deleteRetentionMs),
    'min.compaction.lag.ms': String(d.minCompactionLagMs),
    'max.compaction.lag.ms': String(d.maxCompactionLagMs),
  };
}

/** Kafka writes the policy list in either order; it is stored as the one spelling storage knows. */
function parseCleanupPolicy(raw: string): CleanupPolicy {
  const parts = raw.split(',').map((part) => part.trim()).sort();
  const policy = parts.join(',') as CleanupPolicy;
  if (!CLEANUP_POLICIES.includes(policy)) {
    throw new BrokerError('INVALID_CONFIG', `topic config cleanup.policy must be delete, compact or compact,delete, got ${JSON.stringify(raw)}`);
  }
  return policy;
}

function parseRatio(raw: string): number {
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 1)) throw new BrokerError('INVALID_CONFIG', `topic config min.cleanable.dirty.ratio must be a number in [0, 1], got ${JSON.stringify(raw)}`);
  return value;
}

function parseInt64(key: string, raw: string, spec: IntKey): number {
  const value = /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (spec.unlimited && value === -1) return value;
  if (!Number.isSafeInteger(value) || value < spec.min || value > spec.max) {
    const range = `[${spec.min}, ${spec.max}]${spec.unlimited ? ' or -1' : ''}`;
    throw new BrokerError('INVALID_CONFIG', `topic config ${key} must be an integer in ${range}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Throws INVALID_CONFIG for unknown keys or bad values. */
export function validateTopicConfigs(configs: Record<string, string>): void {
  for (const [key, raw] of Object.entries(configs)) {
    if (typeof raw !== 'string') throw new BrokerError('INVALID_CONFIG', `topic config ${key} must be a string`);
    if (key === FLUSH_POLICY) {
      if (raw !== 'always' && raw !== 'interval') {
        throw new BrokerError('INVALID_CONFIG', `topic config flush.policy must be "always" or "interval", got ${JSON.stringify(raw)}`);
      }
      continue;
    }
    if (key === CLEANUP_POLICY) {
      parseCleanupPolicy(raw);
      continue;
    }
    if (key === DIRTY_RATIO) {
      parseRatio(raw);
      continue;
    }
    validateTopicConfigKey(key);
    parseInt64(key, raw, INT_KEYS[key]);
  }
}

export function validateTopicConfigKey(key: string): void {
  if (!TOPIC_CONFIG_KEYS.includes(key)) {
    throw new BrokerError('INVALID_CONFIG', `unknown topic config ${JSON.stringify(key)}; known: ${TOPIC_CONFIG_KEYS.join(', ')}`);
  }
}

/** Effective configs: built-in defaults < broker topicDefaults < the topic's own. */
export function effectiveTopicConfigs(brokerDefaults: Record<string, string>, own: Record<string, string>): Record<string, string> {
  return { ...builtInTopicDefaults(), ...brokerDefaults, ...own };
}

export function toLogConfig(effective: Record<string, string>): LogConfig {
  const ints: Record<string, number> = {};
  for (const [key, spec] of Object.entries(INT_KEYS)) ints[spec.field] = parseInt64(key, effective[key], spec);
  const flush: FlushPolicy =
    effective[FLUSH_POLICY] === 'interval'
      ? { kind: 'interval', intervalMs: ints.flushIntervalMs, intervalBytes: ints.flushIntervalBytes }
      : { kind: 'always' };
  return {
    retentionMs: ints.retentionMs,
    retentionBytes: ints.retentionBytes,
    segmentBytes: ints.segmentBytes,
    segmentMs: ints.segmentMs,
    segmentIndexBytes: ints.segmentIndexBytes,
    indexIntervalBytes: ints.indexIntervalBytes,
    maxMessageBytes: ints.maxMessageBytes,
    flush,
    cleanupPolicy: parseCleanupPolicy(effective[CLEANUP_POLICY]),
    minCleanableDirtyRatio: parseRatio(effective[DIRTY_RATIO]),
    deleteRetentionMs: ints.deleteRetentionMs,
    minCompactionLagMs: ints.minCompactionLagMs,
    maxCompactionLagMs: ints.maxCompactionLagMs,
  };
}
