import type { BrokerSurface, SurfaceTopic } from '@gregor/broker';
import { ErrorCode } from '../../error-codes';
import { splitHostPort } from '../../listener-address';
import type { ApiHandler } from '../../server/handler';
import { kafkaTopicId } from '../../topic-ids';
import { VersionedReader, VersionedWriter } from '../../versioned';
import type { MetadataBroker, MetadataTopic } from './types';
import { decodeRequest, encodeResponse } from './v0-v12';

export const METADATA_KEY = 3;
export const KAFKA_LISTENER = 'kafka';

/**
 * Metadata from the broker's replicated cluster state: the live brokers that run a Kafka listener
 * (at their advertised Kafka address), and each asked-for topic's partitions with leader, leader
 * epoch and replicas. A leader without a Kafka listener, or none yet, is LEADER_NOT_AVAILABLE,
 * which clients retry. Topics are never created by asking (Gregor has no auto-creation).
 */
export function serveMetadata(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return (header, body, out) => {
    const version = header.apiVersion;
    const request = decodeRequest(new VersionedReader(body, version, version >= flexibleFrom));
    const brokers: MetadataBroker[] = surface.brokers()
      .filter((b) => b.alive && b.listeners[KAFKA_LISTENER])
      .map((b) => ({ nodeId: b.id, ...splitHostPort(b.listeners[KAFKA_LISTENER]), rack: b.rack || null }));
    const listed = new Set(brokers.map((b) => b.nodeId));
    const all = surface.topics();
    const wanted = request.topics === null ? all.filter((t) => !t.internal) : request.topics.map((asked) => findTopic(all, asked));
    encodeResponse(new VersionedWriter(out, version, version >= flexibleFrom), {
      brokers,
      clusterId: surface.clusterId() || null,
      controllerId: controllerFor(surface.controllerId(), surface.brokerId, listed),
      topics: wanted.map((t) => ('missing' in t ? t.missing : describeTopic(t, listed))),
    });
  };
}

/**
 * The broker named as controller: the metadata-log leader when it is listed, else this broker
 * (else any listed one). Every broker forwards controller requests to the metadata log, and a
 * client refuses to start when the named controller is not among the brokers (kafkajs: "Broker -1
 * not found"), as it would be while the metadata log elects or its leader restarts.
 */
export function controllerFor(leaderId: number, selfId: number, listed: ReadonlySet<number>): number {
  if (listed.has(leaderId)) return leaderId;
  if (listed.has(selfId)) return selfId;
  const [first] = listed;
  return first ?? -1;
}

function findTopic(all: SurfaceTopic[], asked: { topicId: Buffer | null; name: string | null }): SurfaceTopic | { missing: MetadataTopic } {
  const byId = asked.topicId && !asked.topicId.equals(ZERO_ID) ? all.find((t) => kafkaTopicId(t.topicId).equals(asked.topicId!)) : undefined;
  const found = byId ?? (asked.name !== null ? all.find((t) => t.name === asked.name) : undefined);
  if (found) return found;
  return { missing: { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: asked.name, topicId: asked.topicId ?? ZERO_ID, isInternal: false, partitions: [] } };
}

const ZERO_ID = Buffer.alloc(16);

function describeTopic(topic: SurfaceTopic, listed: ReadonlySet<number>): MetadataTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: kafkaTopicId(topic.topicId),
    isInternal: topic.internal,
    partitions: topic.partitions.map((p) => {
      const led = p.leader !== 0 && listed.has(p.leader);
      return {
        errorCode: led ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p.partition,
        leaderId: led ? p.leader : -1,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: p.replicas,
        isrNodes: p.inSync,
        offlineReplicas: p.offline,
      };
    }),
  };
}
