import type { BrokerSurface } from '@gregor/broker';
import type { ApiHandler } from '../../server/handler';
import { versionedHandler } from '../versioned-handler';
import { alterTopicConfigs } from './alter-topic-configs';
import { decodeAlterRequest, encodeAlterResponse } from './v0-v2';

export const ALTER_CONFIGS_KEY = 33;

/** Replaces each topic's configs with those given, through the controller. */
export function serveAlterConfigs(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(
    flexibleFrom,
    (r) => decodeAlterRequest(r, false),
    ({ resources, validateOnly }) => Promise.all(resources.map((resource) => alterTopicConfigs(surface, resource, false, validateOnly))),
    encodeAlterResponse,
  );
}
