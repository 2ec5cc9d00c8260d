import { BrokerError, type BrokerSurface } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { kafkaTopicId } from '../../topic-ids';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type DeletedTopicResult } from './v0-v6';

export const DELETE_TOPICS_KEY = 20;

const NO_ID = Buffer.alloc(16);

/** Deletes each topic (named, or by id from v6) through the controller; internal topics are refused. */
export function serveDeleteTopics(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, (topics) => Promise.all(topics.map(async (asked): Promise<DeletedTopicResult> => {
    const byId = asked.topicId && !asked.topicId.equals(NO_ID) ? surface.topics().find((t) => kafkaTopicId(t.topicId).equals(asked.topicId!)) : undefined;
    const name = byId?.name ?? asked.name;
    try {
      if (name === null) throw new BrokerError('UNKNOWN_TOPIC', 'no topic has that id');
      await surface.deleteTopic(name);
      return { name, topicId: asked.topicId ?? NO_ID, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (err) {
      return { name, topicId: asked.topicId ?? NO_ID, errorCode: kafkaErrorCode(err), errorMessage: err instanceof Error ? err.message : String(err) };
    }
  })), encodeResponse);
}
