/**
 * @gregor/broker: the Gregor broker server. `Broker.start(config, logger)`
 * runs one; `loadBrokerConfig` merges flags, environment and a config file
 * over the documented defaults (CONFIG_SETTINGS).
 */
export { Broker, type BrokerStartOptions } from './server';
export type { AppendedBatch, BrokerSurface, CreatedTopic, CreateTopicRequest, FrontEnd, OffsetQuery, PartitionWatch, ReadBatches, SurfaceBroker, SurfacePartition, SurfaceTopic } from './front-end';
export { type BrokerConfig, CONFIG_SETTINGS, type ConfigSetting, type ConfigSources, defaultBrokerConfig, loadBrokerConfig } from './config';
export type { GroupCall } from './groups/group-coordinator';
export type { GroupRequests } from './groups/group-requests';
export { BrokerError, type BrokerErrorCode, toStatus } from './errors';
export { type Logger, type LogLevel, jsonLogger, silentLogger } from './logger';
export { TOPIC_CONFIG_KEYS } from './topic-config';
// For test harnesses that build a broker with deliberately broken replicas (see BrokerStartOptions).
export type { ReplicaFactory } from './replication/replica-factory';
export { ReplicatedPartition, type ReplicatedPartitionOptions } from './replication/replicated-partition';
export type { Acks } from './replication/pending-appends';
export { listenTcp } from './listen-tcp';
export { type HttpExtension, type HttpReply, type HttpRoute, jsonReply } from './http/http-listener';
