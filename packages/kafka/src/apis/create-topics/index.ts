import { BrokerError, type BrokerSurface } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { kafkaTopicId } from '../../topic-ids';
import { CONFIG_SOURCE } from '../config-source';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type CreatableTopic, type CreatedTopicResult } from './v0-v7';

export const CREATE_TOPICS_KEY = 19;

/**
 * Creates each topic through the controller, as `gregor topic create` does: replicas are placed by
 * Gregor (a hand-made assignment is refused), and a topic's own configs are checked like any
 * other. One topic's failure does not stop the others.
 */
export function serveCreateTopics(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, ({ topics, validateOnly }) => Promise.all(topics.map((t) => create(surface, t, validateOnly))), encodeResponse);
}

async function create(surface: BrokerSurface, topic: CreatableTopic, validateOnly: boolean): Promise<CreatedTopicResult> {
  try {
    if (topic.assignments.length > 0) {
      throw new BrokerError('INVALID_REPLICA_ASSIGNMENT', 'Gregor places replicas itself: give a partition count and replication factor, then move replicas with gregor reassignment');
    }
    const own: Record<string, string> = {};
    for (const c of topic.configs) {
      if (c.value === null) throw new BrokerError('INVALID_CONFIG', `config ${c.name} needs a value`);
      own[c.name] = c.value;
    }
    const created = await surface.createTopic({
      name: topic.name,
      partitions: Math.max(0, topic.numPartitions),
      replicationFactor: Math.max(0, topic.replicationFactor),
      configs: own,
      validateOnly,
    });
    return {
      name: topic.name,
      topicId: created.topicId ? kafkaTopicId(created.topicId) : Buffer.alloc(16),
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: created.partitions,
      replicationFactor: created.replicationFactor,
      configs: Object.entries(created.configs).map(([name, value]) => ({ name, value, configSource: name in own ? CONFIG_SOURCE.TOPIC : CONFIG_SOURCE.DEFAULT })),
    };
  } catch (err) {
    return {
      name: topic.name,
      topicId: Buffer.alloc(16),
      errorCode: kafkaErrorCode(err),
      errorMessage: err instanceof Error ? err.message : String(err),
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    };
  }
}
