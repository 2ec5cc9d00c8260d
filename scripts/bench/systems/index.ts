import { GregorClient } from './gregor';
import { JetStreamClientAdapter } from './jetstream';
import { RedisClient } from './redis';
import { SystemClient, SystemTarget } from './types';

export type { RecordSender, SystemClient, SystemName, SystemTarget } from './types';

/** Connects to a system with its usual Node client. */
export async function openSystem(target: SystemTarget): Promise<SystemClient> {
  switch (target.system) {
    case 'gregor':
      return new GregorClient(target.address, target.topicConfigs);
    case 'jetstream':
      return JetStreamClientAdapter.connect(target.address);
    case 'redis':
      return RedisClient.connect(target.address);
  }
}
