import { BrokerError, type BrokerSurface } from '@gregor/broker';
import { ErrorCode, kafkaErrorCode } from '../../error-codes';
import { requireTopicResource } from '../config-resource';
import type { AlterConfigsResource, AlterConfigsResult } from './v0-v2';

const SET = 0;
const DELETE = 1;

/**
 * Applies one resource's alteration. AlterConfigs replaces a topic's configs with those given
 * (the rest go back to their defaults); IncrementalAlterConfigs sets and deletes the ones named.
 * Gregor's topic configs are single values, so append and subtract are refused.
 */
export async function alterTopicConfigs(surface: BrokerSurface, resource: AlterConfigsResource, incremental: boolean, validateOnly: boolean): Promise<AlterConfigsResult> {
  const { resourceType, resourceName } = resource;
  try {
    const topic = requireTopicResource(resourceType, resourceName);
    const set: Record<string, string> = {};
    const reset: string[] = [];
    for (const c of resource.configs) {
      if (c.operation === DELETE) reset.push(c.name);
      else if (c.operation !== SET) throw new BrokerError('INVALID_CONFIG', `config ${c.name}: operation ${c.operation} (append or subtract) needs a list-valued config, and Gregor's are single values`);
      else if (c.value === null) reset.push(c.name);
      else set[c.name] = c.value;
    }
    if (!incremental) reset.push(...Object.keys(surface.topicConfigs(topic).own).filter((key) => !(key in set)));
    await surface.alterTopicConfigs(topic, set, reset, validateOnly);
    return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName };
  } catch (err) {
    return { errorCode: kafkaErrorCode(err), errorMessage: err instanceof Error ? err.message : String(err), resourceType, resourceName };
  }
}
