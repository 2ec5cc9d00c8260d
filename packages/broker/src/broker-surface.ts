import { decodeBatch, iterateBatches } from '@gregor/records';
import type { BrokerContext } from './context';
import type { BrokerSurface, OffsetQuery, PartitionWatch, SurfaceTopic } from './front-end';
import { groupRequests } from './groups/group-requests';
import { logFailure } from './services/handlers';
import { COMMIT_KNOWN_TIMEOUT_MS, type PartitionReplica } from './partition-replica';
import { effectiveTopicConfigs, validateTopicConfigKey, validateTopicConfigs } from './topic-config';
import { refuseInternalTopic } from './topic-manager';

/**
 * The offset a query names on a leader: -1 when no record is at or after the timestamp, or when
 * the record with the largest timestamp is not yet committed (a consumer could not read it).
 * Offsets are bounded by the complete high watermark: a leader just elected may not yet know
 * what its predecessor committed, and answering its lower figure would move the end backwards.
 */
export async function offsetFor(replica: PartitionReplica, query: OffsetQuery): Promise<number> {
  replica.requireLeader();
  if (query === 'earliest') return replica.logStartOffset;
  const highWatermark = await replica.completeHighWatermark(COMMIT_KNOWN_TIMEOUT_MS);
  if (query === 'latest') return highWatermark;
  if (query === 'max-timestamp') {
    const found = await replica.maxTimestampRecord();
    return found !== null && found.offset >= replica.logStartOffset && found.offset < highWatermark ? found.offset : -1;
  }
  const found = await replica.offsetForTimestamp(query.timestamp);
  return found === null || found >= highWatermark ? -1 : Math.max(found, replica.logStartOffset);
}

/** The timestamp of the record at `offset` (Kafka answers a query by time with the found record's); -1 if none is there. */
async function timestampAt(replica: PartitionReplica, offset: number): Promise<number> {
  const { bytes } = await replica.read(offset, 1);
  for (const { position } of iterateBatches(bytes)) {
    const record = decodeBatch(bytes, position).records.find((r) => r.offset === offset);
    if (record) return record.timestamp;
  }
  return -1;
}

/** The broker as front ends see it, over the same partitions, metadata and shutdown signal as the gRPC services. */
export function brokerSurface(ctx: BrokerContext, clientAddress: string): BrokerSurface {
  const surface: BrokerSurface = {
    brokerId: ctx.config.brokerId,
    clientAddress,
    shutdownSignal: ctx.shutdownSignal,
    clusterId: () => ctx.cluster.state.clusterId,
    controllerId: () => ctx.cluster.controller.leaderId,
    brokers: () =>
      ctx.cluster.state.brokers()
        .filter((b) => !b.decommissioned || !b.fenced)
        .map((b) => ({ id: b.id, listeners: b.listeners ?? {}, rack: b.rack ?? '', alive: !b.fenced })),
    topics: () => {
      const fenced = new Set(ctx.cluster.state.brokers().filter((b) => b.fenced).map((b) => b.id));
      return ctx.cluster.state.topics().map((t): SurfaceTopic => ({
        name: t.name,
        topicId: t.topicId,
        internal: t.name.startsWith('__'),
        partitions: t.assignments.map((a, partition) => ({
          partition,
          leader: a.leader,
          leaderEpoch: a.leaderTerm,
          replicas: a.replicas,
          inSync: a.replicas.filter((id) => !fenced.has(id)),
          offline: a.replicas.filter((id) => fenced.has(id)),
        })),
      }));
    },
    produce: async (topic, partition, batch, acks) => {
      // Internal topics hold the broker's own records (committed offsets): a client's would corrupt their state.
      refuseInternalTopic(topic, 'produce to');
      const replica = ctx.topics.partition(topic, partition);
      const appended = await replica.append(batch, acks);
      replica.traffic.appended(batch.length, appended.lastOffset - appended.baseOffset + 1);
      return { baseOffset: appended.baseOffset, logAppendTime: appended.logAppendTime, logStartOffset: replica.logStartOffset };
    },
    read: async (topic, partition, offset, maxBytes) => {
      const replica = ctx.topics.partition(topic, partition);
      if (maxBytes <= 0) {
        replica.checkOffset(offset);
        return { bytes: Buffer.alloc(0), highWatermark: replica.highWatermark, logStartOffset: replica.logStartOffset };
      }
      const read = await replica.read(offset, maxBytes);
      replica.traffic.read(read.bytes);
      return { bytes: read.bytes, highWatermark: replica.highWatermark, logStartOffset: replica.logStartOffset };
    },
    waitForData: async (watches: readonly PartitionWatch[], timeoutMs, signal) => {
      const stop = new AbortController();
      const abort = (): void => stop.abort();
      signal.addEventListener('abort', abort);
      try {
        const waits = watches.map((w) => ctx.topics.partition(w.topic, w.partition).waitForData(w.highWatermark, timeoutMs, stop.signal).catch(() => true));
        if (waits.length === 0) waits.push(new Promise((resolve) => setTimeout(() => resolve(false), timeoutMs)));
        await Promise.race(waits);
      } finally {
        signal.removeEventListener('abort', abort);
        stop.abort();
      }
    },
    listOffset: async (topic, partition, query) => {
      const replica = ctx.topics.partition(topic, partition);
      const offset = await offsetFor(replica, query);
      const timestamp = (typeof query === 'object' || query === 'max-timestamp') && offset >= 0 ? await timestampAt(replica, offset) : -1;
      return { offset, timestamp, leaderEpoch: replica.replication.term };
    },
    createTopic: async ({ name, partitions, replicationFactor, configs, validateOnly }) => {
      refuseInternalTopic(name, 'create');
      if (validateOnly) {
        const plan = ctx.topics.checkCreate(name, partitions, configs, replicationFactor);
        return { topicId: '', partitions: plan.count, replicationFactor: Math.min(plan.factor, plan.live.length), configs: effectiveTopicConfigs(ctx.config.topicDefaults, configs) };
      }
      const topic = await ctx.topics.create(name, partitions, configs, replicationFactor);
      const { record } = topic;
      return { topicId: record.topicId, partitions: record.partitions, replicationFactor: record.assignments[0]?.replicas.length ?? 0, configs: ctx.topics.effectiveConfigs(topic) };
    },
    deleteTopic: async (name) => {
      refuseInternalTopic(name, 'delete');
      await ctx.topics.delete(name);
    },
    createPartitions: async (name, count, validateOnly) => {
      refuseInternalTopic(name, 'add partitions to');
      if (validateOnly) ctx.topics.checkAddPartitions(name, count);
      else await ctx.topics.addPartitions(name, count);
    },
    topicConfigs: (name) => {
      const topic = ctx.topics.get(name);
      return { own: { ...topic.record.configs }, effective: ctx.topics.effectiveConfigs(topic) };
    },
    alterTopicConfigs: async (name, set, reset, validateOnly) => {
      refuseInternalTopic(name, 'alter the configs of');
      const own = ctx.topics.get(name).record.configs;
      reset.forEach(validateTopicConfigKey);
      validateTopicConfigs(set);
      const resetting = reset.filter((key) => key in own);
      if (Object.keys(set).length === 0 && resetting.length === 0) return;
      if (validateOnly) ctx.topics.checkAlterConfigs(name, set, resetting);
      else await ctx.topics.alterConfigs(name, set, resetting);
    },
    allocateProducerId: async () => (await ctx.cluster.propose({ type: 'allocateProducerIds', count: 1 })) as number,
    groups: logged(ctx, 'groups', groupRequests(ctx)),
  };
  return logged(ctx, 'surface', surface);
}

/**
 * The same object, its async methods logging failures that are not the client's (as the gRPC
 * services log theirs) before they reach a front end, which only turns them into an error code.
 */
function logged<T extends object>(ctx: BrokerContext, area: string, target: T): T {
  const wrapped = { ...target } as Record<string, unknown>;
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') continue;
    wrapped[name] = (...args: unknown[]) => {
      const result: unknown = (value as (...a: unknown[]) => unknown)(...args);
      if (result instanceof Promise) return result.catch((err: unknown) => {
        logFailure(ctx, `${area}.${name}`, err);
        throw err;
      });
      return result;
    };
  }
  return wrapped as T;
}
