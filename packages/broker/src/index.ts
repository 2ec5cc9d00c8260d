/**
 * @gregor/broker: the Gregor broker server. `Broker.start(config, logger)`
 * runs one; `loadBrokerConfig` merges flags, environment and a config file
 * over the documented defaults (CONFIG_SETTINGS).
 */
export { Broker } from './server';
export { type BrokerConfig, CONFIG_SETTINGS, type ConfigSetting, type ConfigSources, defaultBrokerConfig, loadBrokerConfig } from './config';
export { BrokerError, type BrokerErrorCode, toStatus } from './errors';
export { type Logger, type LogLevel, jsonLogger, silentLogger } from './logger';
export { TOPIC_CONFIG_KEYS } from './topic-config';
// For test harnesses that build a broker with deliberately broken replicas (see Broker.start).
export type { ReplicaFactory } from './replication/replica-factory';
export { ReplicatedPartition, type ReplicatedPartitionOptions } from './replication/replicated-partition';
export type { Acks } from './replication/pending-appends';
