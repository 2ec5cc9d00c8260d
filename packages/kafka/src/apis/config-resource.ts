import { BrokerError } from '@gregor/broker';

/** Kafka's config resource types that a client may name. */
export const RESOURCE_TYPE = { TOPIC: 2, BROKER: 4 } as const;

/** Gregor's configs are per topic; a broker's come from its flags and file, and are not altered over the wire. */
export function requireTopicResource(resourceType: number, resourceName: string): string {
  if (resourceType !== RESOURCE_TYPE.TOPIC) {
    throw new BrokerError('INVALID_REQUEST', `only topic configs (resource type ${RESOURCE_TYPE.TOPIC}) are served, not resource type ${resourceType} (${resourceName})`);
  }
  return resourceName;
}
