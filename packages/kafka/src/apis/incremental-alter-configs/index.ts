import type { BrokerSurface } from '@gregor/broker';
import type { ApiHandler } from '../../server/handler';
import { alterTopicConfigs } from '../alter-configs/alter-topic-configs';
import { decodeAlterRequest, encodeAlterResponse } from '../alter-configs/v0-v2';
import { versionedHandler } from '../versioned-handler';

export const INCREMENTAL_ALTER_CONFIGS_KEY = 44;

/** Sets and deletes the named configs of each topic, leaving the others; v0-v1 read as AlterConfigs with an operation per config. */
export function serveIncrementalAlterConfigs(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(
    flexibleFrom,
    (r) => decodeAlterRequest(r, true),
    ({ resources, validateOnly }) => Promise.all(resources.map((resource) => alterTopicConfigs(surface, resource, true, validateOnly))),
    encodeAlterResponse,
  );
}
