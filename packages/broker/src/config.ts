import * as fs from 'fs';
import { BrokerError } from './errors';
import { LOG_LEVELS, LogLevel } from './logger';

export interface BrokerConfig {
  brokerId: number;
  host: string;
  port: number;
  /** Port of the peer service (other brokers only); 0 picks a free one. */
  peerPort: number;
  /** host:port clients use to reach this broker; empty = host and the bound port. */
  advertisedAddress: string;
  /** Port of the Kafka protocol listener; 0 runs none. */
  kafkaPort: number;
  /** host:port Kafka clients are told to use for this broker; empty = host and kafkaPort. */
  kafkaAdvertisedAddress: string;
  /** Port of the MQTT listener; 0 runs none. */
  mqttPort: number;
  /** Port of the HTTP listener serving /metrics, /healthz and /readyz; 0 runs none. */
  metricsPort: number;
  /** Open MQTT connections at most; more are closed as they arrive. */
  mqttMaxConnections: number;
  /** Largest MQTT packet accepted, in bytes (remaining length and fixed header). */
  mqttMaxPacketBytes: number;
  /** MQTT topic filters mapped to log topics, as `filter -> topic[, key = level]; ...`. */
  mqttMap: string;
  /** Every broker as id=host:port/peerPort,...; empty runs a cluster of one. */
  peers: string;
  /** Metadata-log voters as id,id,...; empty = the three lowest peer ids. */
  controllers: string;
  /** host:port of any live broker of a running cluster to join; empty to form or rejoin one from --peers. */
  join: string;
  /** The rack (or zone) this broker stands in, for rack-aware placement; empty for none. */
  rack: string;
  /** The controller leader rebalances replicas and leaders after a broker joins or is decommissioned. */
  autoBalance: boolean;
  defaultReplicationFactor: number;
  offsetsTopicPartitions: number;
  raftTickMs: number;
  electionTicks: number;
  brokerHeartbeatMs: number;
  brokerSessionTimeoutMs: number;
  preferredLeaderCheckMs: number;
  dataDir: string;
  logLevel: LogLevel;
  defaultPartitions: number;
  maxPartitionsPerTopic: number;
  maxRequestBytes: number;
  fetchMaxWaitMs: number;
  subscribeMaxInFlightBytes: number;
  retentionCheckIntervalMs: number;
  /** Pause between log-cleaner passes over the compacted partitions. */
  logCleanerBackoffMs: number;
  /** Memory of the cleaner's key map, which bounds how much of a log one pass cleans. */
  logCleanerDedupeBufferSize: number;
  /** Cap on the cleaner's reads and writes together, bytes per second; 0 = none. */
  logCleanerIoMaxBytesPerSecond: number;
  shutdownTimeoutMs: number;
  /** V8's old-generation growth past the live heap before a full collection, in percent; 0 = V8's adaptive factor. */
  heapGrowingPercent: number;
  /** Disk blocks kept reserved past the end of each partition's active segment, at most; 0 = none. */
  logPreallocateBytes: number;
  /** Topic config defaults (same keys as CreateTopic configs), applied under each topic's own configs. */
  topicDefaults: Record<string, string>;
}

type ScalarKey = Exclude<keyof BrokerConfig, 'topicDefaults'>;

export interface ConfigSetting {
  key: ScalarKey;
  /** Command-line flag, e.g. --data-dir. */
  flag: string;
  env: string;
  kind: 'int' | 'string' | 'level' | 'bool';
  default: number | string | boolean;
  /** The key's Kafka-style spelling, also accepted in a config file. */
  fileKey?: string;
  /** For strings: whether '' is a valid value (meaning "not set"). */
  allowEmpty?: boolean;
  min?: number;
  max?: number;
  description: string;
}

const MiB = 1024 * 1024;

/** Every broker setting, its flag, environment variable and default. README's table mirrors this. */
export const CONFIG_SETTINGS: readonly ConfigSetting[] = [
  { key: 'brokerId', flag: '--broker-id', env: 'GREGOR_BROKER_ID', kind: 'int', default: 1, min: 1, max: 2 ** 31 - 1, description: 'this broker\'s id, stable for its data directory' },
  { key: 'host', flag: '--host', env: 'GREGOR_HOST', kind: 'string', default: '127.0.0.1', description: 'address to listen on' },
  { key: 'port', flag: '--port', env: 'GREGOR_PORT', kind: 'int', default: 7070, min: 0, max: 65535, description: 'gRPC port for clients; 0 picks a free one' },
  { key: 'peerPort', flag: '--peer-port', env: 'GREGOR_PEER_PORT', kind: 'int', default: 0, min: 0, max: 65535, description: 'gRPC port for other brokers only (Raft, metadata, forwarded group calls), as listed for this broker in --peers; 0 picks a free one' },
  { key: 'advertisedAddress', flag: '--advertised-address', env: 'GREGOR_ADVERTISED_ADDRESS', kind: 'string', allowEmpty: true, default: '', description: 'host:port clients use to reach this broker; empty = host and the bound port' },
  { key: 'kafkaPort', flag: '--kafka-port', env: 'GREGOR_KAFKA_PORT', kind: 'int', default: 9092, min: 0, max: 65535, description: 'port of the Kafka protocol listener, for existing Kafka clients; 0 turns it off' },
  { key: 'kafkaAdvertisedAddress', flag: '--kafka-advertised-address', env: 'GREGOR_KAFKA_ADVERTISED_ADDRESS', kind: 'string', allowEmpty: true, default: '', description: 'host:port Kafka clients are told to use for this broker; empty = host and the Kafka port' },
  { key: 'metricsPort', flag: '--metrics-port', env: 'GREGOR_METRICS_PORT', kind: 'int', default: 9644, min: 0, max: 65535, description: 'port of the HTTP listener for Prometheus metrics (/metrics) and health (/healthz, /readyz); 0 turns it off' },
  { key: 'mqttPort', flag: '--mqtt-port', env: 'GREGOR_MQTT_PORT', kind: 'int', default: 1883, min: 0, max: 65535, description: 'port of the MQTT 3.1.1/5.0 listener; 0 turns it off' },
  { key: 'mqttMaxConnections', flag: '--mqtt-max-connections', env: 'GREGOR_MQTT_MAX_CONNECTIONS', kind: 'int', default: 100000, min: 1, max: 10000000, description: 'open MQTT connections at most; one past it is closed at once' },
  { key: 'mqttMaxPacketBytes', flag: '--mqtt-max-packet-bytes', env: 'GREGOR_MQTT_MAX_PACKET_BYTES', kind: 'int', default: MiB, min: 64, max: 268435460, description: 'largest MQTT packet accepted; a larger one closes its connection (reason 0x95 in MQTT 5)' },
  { key: 'mqttMap', flag: '--mqtt-map', env: 'GREGOR_MQTT_MAP', kind: 'string', allowEmpty: true, default: '', description: 'MQTT topic filters mapped to log topics, `filter -> topic[, key = level]` separated by ";", e.g. "chat/+room/messages -> chat-messages, key = room"' },
  { key: 'peers', flag: '--peers', env: 'GREGOR_PEERS', kind: 'string', allowEmpty: true, default: '', description: 'every broker of the cluster as id=host:port/peerPort,... (this one included), or id=host:port/peerHost:peerPort when peers reach it at another host; empty runs a cluster of one' },
  { key: 'controllers', flag: '--controllers', env: 'GREGOR_CONTROLLERS', kind: 'string', allowEmpty: true, default: '', description: 'broker ids voting on the cluster metadata log, as id,id,...; empty = the three lowest peer ids' },
  { key: 'join', flag: '--join', env: 'GREGOR_JOIN', kind: 'string', allowEmpty: true, default: '', description: 'host:port (client port) of any live broker of a running cluster: this broker joins it without --peers, and takes no replicas until some move to it' },
  { key: 'rack', flag: '--rack', env: 'GREGOR_RACK', kind: 'string', allowEmpty: true, default: '', description: 'rack or zone of this broker; rebalancing keeps a partition\'s replicas on distinct racks where it can' },
  { key: 'autoBalance', flag: '--auto-balance', env: 'GREGOR_AUTO_BALANCE', kind: 'bool', default: false, fileKey: 'auto.balance', description: 'true: the controller rebalances replicas and leaders (as `cluster rebalance`) after a broker joins or is decommissioned' },
  { key: 'defaultReplicationFactor', flag: '--default-replication-factor', env: 'GREGOR_DEFAULT_REPLICATION_FACTOR', kind: 'int', default: 3, min: 1, max: 7, description: 'replicas of each partition of a new topic (at most the live brokers)' },
  { key: 'offsetsTopicPartitions', flag: '--offsets-topic-partitions', env: 'GREGOR_OFFSETS_TOPIC_PARTITIONS', kind: 'int', default: 4, min: 1, max: 1024, description: 'partitions of __consumer_offsets, created on the first group commit' },
  { key: 'raftTickMs', flag: '--raft-tick-ms', env: 'GREGOR_RAFT_TICK_MS', kind: 'int', default: 100, min: 5, max: 10000, description: 'one Raft tick: leaders heartbeat every tick' },
  { key: 'electionTicks', flag: '--election-ticks', env: 'GREGOR_ELECTION_TICKS', kind: 'int', default: 10, min: 3, max: 1000, description: 'ticks without a leader before a replica campaigns (randomized up to twice this)' },
  { key: 'brokerHeartbeatMs', flag: '--broker-heartbeat-ms', env: 'GREGOR_BROKER_HEARTBEAT_MS', kind: 'int', default: 1000, min: 10, max: 600000, description: 'how often a broker tells the controller it is alive' },
  { key: 'preferredLeaderCheckMs', flag: '--preferred-leader-check-ms', env: 'GREGOR_PREFERRED_LEADER_CHECK_MS', kind: 'int', default: 5000, min: 100, max: 3600000, description: 'how often leaders hand their partitions back to the preferred (first) replica' },
  { key: 'brokerSessionTimeoutMs', flag: '--broker-session-timeout-ms', env: 'GREGOR_BROKER_SESSION_TIMEOUT_MS', kind: 'int', default: 6000, min: 20, max: 3600000, description: 'silence after which the controller marks a broker dead' },
  { key: 'dataDir', flag: '--data-dir', env: 'GREGOR_DATA_DIR', kind: 'string', default: './data', description: 'where logs and metadata live' },
  { key: 'logLevel', flag: '--log-level', env: 'GREGOR_LOG_LEVEL', kind: 'level', default: 'info', description: 'debug, info, warn or error' },
  { key: 'defaultPartitions', flag: '--default-partitions', env: 'GREGOR_DEFAULT_PARTITIONS', kind: 'int', default: 1, min: 1, max: 10000, description: 'partitions of a topic created without a count' },
  { key: 'maxPartitionsPerTopic', flag: '--max-partitions-per-topic', env: 'GREGOR_MAX_PARTITIONS_PER_TOPIC', kind: 'int', default: 1024, min: 1, max: 100000, description: 'largest partition count accepted' },
  { key: 'maxRequestBytes', flag: '--max-request-bytes', env: 'GREGOR_MAX_REQUEST_BYTES', kind: 'int', default: 8 * MiB, min: 1024, max: 2 ** 31 - 1, description: 'largest gRPC message accepted (RESOURCE_EXHAUSTED above)' },
  { key: 'fetchMaxWaitMs', flag: '--fetch-max-wait-ms', env: 'GREGOR_FETCH_MAX_WAIT_MS', kind: 'int', default: 30000, min: 0, max: 3600000, description: 'cap on a Fetch long poll\'s max_wait_ms' },
  { key: 'subscribeMaxInFlightBytes', flag: '--subscribe-max-in-flight-bytes', env: 'GREGOR_SUBSCRIBE_MAX_IN_FLIGHT_BYTES', kind: 'int', default: 4 * MiB, min: 1, max: 2 ** 31 - 1, description: 'bytes a Subscribe stream may buffer unsent before it pauses' },
  { key: 'retentionCheckIntervalMs', flag: '--retention-check-interval-ms', env: 'GREGOR_RETENTION_CHECK_INTERVAL_MS', kind: 'int', default: 300000, min: 10, max: 2 ** 31 - 1, description: 'how often old segments are deleted' },
  { key: 'logCleanerBackoffMs', flag: '--log-cleaner-backoff-ms', env: 'GREGOR_LOG_CLEANER_BACKOFF_MS', kind: 'int', default: 15000, min: 10, max: 2 ** 31 - 1, fileKey: 'log.cleaner.backoff.ms', description: 'pause between passes of the log cleaner over partitions with cleanup.policy=compact' },
  { key: 'logCleanerDedupeBufferSize', flag: '--log-cleaner-dedupe-buffer-size', env: 'GREGOR_LOG_CLEANER_DEDUPE_BUFFER_SIZE', kind: 'int', default: 32 * MiB, min: 1024, max: 2 ** 31 - 1, fileKey: 'log.cleaner.dedupe.buffer.size', description: 'memory of the cleaner\'s key map (24 bytes a key); a pass cleans as far as its keys fit' },
  { key: 'logCleanerIoMaxBytesPerSecond', flag: '--log-cleaner-io-max-bytes-per-second', env: 'GREGOR_LOG_CLEANER_IO_MAX_BYTES_PER_SECOND', kind: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, fileKey: 'log.cleaner.io.max.bytes.per.second', description: 'cap on the cleaner\'s disk reads and writes, bytes per second; 0 = none' },
  { key: 'shutdownTimeoutMs', flag: '--shutdown-timeout-ms', env: 'GREGOR_SHUTDOWN_TIMEOUT_MS', kind: 'int', default: 10000, min: 0, max: 3600000, description: 'how long SIGTERM waits for in-flight calls' },
  { key: 'heapGrowingPercent', flag: '--heap-growing-percent', env: 'GREGOR_HEAP_GROWING_PERCENT', kind: 'int', default: 300, min: 0, max: 1000, description: 'how far the JavaScript heap grows past its live size before a full collection, in percent; 0 = V8\'s adaptive factor' },
  { key: 'logPreallocateBytes', flag: '--log-preallocate-bytes', env: 'GREGOR_LOG_PREALLOCATE_BYTES', kind: 'int', default: 64 * MiB, min: 0, max: 2 ** 31 - 1, description: 'disk space reserved ahead of each partition\'s appends, at most (fallocate --keep-size); 0 = none' },
];

export function defaultBrokerConfig(): BrokerConfig {
  const config = { topicDefaults: {} } as Record<string, unknown>;
  for (const s of CONFIG_SETTINGS) config[s.key] = s.default;
  return config as unknown as BrokerConfig;
}

export interface ConfigSources {
  /** Values given on the command line, keyed by setting key (camelCase). */
  flags?: Partial<Record<ScalarKey, string | number | undefined>>;
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON file with any BrokerConfig keys. */
  configFile?: string;
}

function parseSetting(setting: ConfigSetting, raw: unknown, source: string): number | string | boolean {
  const fail = (why: string): never => {
    throw new BrokerError('INVALID_CONFIG', `${setting.key} from ${source}: ${why}, got ${JSON.stringify(raw)}`);
  };
  if (setting.kind === 'string') {
    if (typeof raw !== 'string' || (raw === '' && !setting.allowEmpty)) fail('expected a non-empty string');
    return raw as string;
  }
  if (setting.kind === 'bool') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    fail('expected true or false');
  }
  if (setting.kind === 'level') {
    if (!LOG_LEVELS.includes(raw as LogLevel)) fail(`expected one of ${LOG_LEVELS.join(', ')}`);
    return raw as string;
  }
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) fail('expected an integer');
  if ((setting.min !== undefined && value < setting.min) || (setting.max !== undefined && value > setting.max)) {
    fail(`expected an integer in [${setting.min}, ${setting.max}]`);
  }
  return value;
}

function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BrokerError('INVALID_CONFIG', `cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BrokerError('INVALID_CONFIG', `config file ${file} must hold a JSON object`);
  }
  const known = new Set<string>([...CONFIG_SETTINGS.flatMap((s) => (s.fileKey ? [s.key, s.fileKey] : [s.key])), 'topicDefaults']);
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) throw new BrokerError('INVALID_CONFIG', `config file ${file}: unknown key ${key}`);
  }
  return parsed as Record<string, unknown>;
}

/** Precedence: flags > environment (GREGOR_*) > config file > defaults. */
export function loadBrokerConfig(sources: ConfigSources = {}): BrokerConfig {
  const config = defaultBrokerConfig() as unknown as Record<string, unknown>;
  const file = sources.configFile ? readConfigFile(sources.configFile) : {};
  const env = sources.env ?? {};
  for (const setting of CONFIG_SETTINGS) {
    const flag = sources.flags?.[setting.key];
    if (flag !== undefined) config[setting.key] = parseSetting(setting, flag, setting.flag);
    else if (env[setting.env] !== undefined) config[setting.key] = parseSetting(setting, env[setting.env], setting.env);
    else if (file[setting.key] !== undefined) config[setting.key] = parseSetting(setting, file[setting.key], 'config file');
    else if (setting.fileKey && file[setting.fileKey] !== undefined) config[setting.key] = parseSetting(setting, file[setting.fileKey], 'config file');
  }
  if (file.topicDefaults !== undefined) {
    const defaults = file.topicDefaults;
    if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) {
      throw new BrokerError('INVALID_CONFIG', 'topicDefaults must be an object of string values');
    }
    config.topicDefaults = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, String(v)]));
  }
  return config as unknown as BrokerConfig;
}
