import type { BrokerSurface } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import type { ApiHandler } from '../../server/handler';
import { requireTopicResource } from '../config-resource';
import { CONFIG_SOURCE } from '../config-source';
import { versionedHandler } from '../versioned-handler';
import { decodeRequest, encodeResponse, type DescribeConfigsResource, type DescribeConfigsResult } from './v0-v4';

export const DESCRIBE_CONFIGS_KEY = 32;

/** A topic's configs as it runs with them: those set on it, and the defaults for the rest (all, or the keys asked). */
export function serveDescribeConfigs(surface: BrokerSurface, flexibleFrom: number): ApiHandler {
  return versionedHandler(flexibleFrom, decodeRequest, (resources) => ({ results: resources.map((r) => describe(surface, r)), defaultSource: CONFIG_SOURCE.DEFAULT }), encodeResponse);
}

function describe(surface: BrokerSurface, resource: DescribeConfigsResource): DescribeConfigsResult {
  const { resourceType, resourceName } = resource;
  try {
    const { own, effective } = surface.topicConfigs(requireTopicResource(resourceType, resourceName));
    const keys = resource.configurationKeys ?? Object.keys(effective).sort();
    const configs = keys
      .filter((key) => key in effective)
      .map((name) => ({ name, value: effective[name], configSource: name in own ? CONFIG_SOURCE.TOPIC : CONFIG_SOURCE.DEFAULT }));
    return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName, configs };
  } catch (err) {
    return { errorCode: kafkaErrorCode(err), errorMessage: err instanceof Error ? err.message : String(err), resourceType, resourceName, configs: [] };
  }
}
