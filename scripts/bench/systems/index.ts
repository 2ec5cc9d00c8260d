import { SystemClient, SystemTarget } from './types';

export type { RecordSender, SystemClient, SystemName, SystemTarget } from './types';

/**
 * Connects to a system with its usual Node client. Each client library is
 * loaded only when used, so a worker process spends no start-up time or
 * memory on the other systems' libraries.
 */
export async function openSystem(target: SystemTarget): Promise<SystemClient> {
  switch (target.system) {
    case 'gregor':
    case 'gregor-metrics':
    case 'gregor-rf3': {
      const { GregorClient } = await import('./gregor');
      return new GregorClient(target.address, target.topicConfigs, target.replicationFactor);
    }
    case 'gregor-kafkajs': {
      const { KafkajsClient } = await import('./kafkajs');
      return new KafkajsClient(target.address, target.topicConfigs);
    }
    case 'jetstream': {
      const { JetStreamClientAdapter } = await import('./jetstream');
      return JetStreamClientAdapter.connect(target.address);
    }
    case 'redis': {
      const { RedisClient } = await import('./redis');
      return RedisClient.connect(target.address);
    }
  }
}
