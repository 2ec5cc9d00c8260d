import { FallocateReserver } from '@gregor/storage';
import type { BrokerConfig } from '../config';
import type { Logger } from '../logger';

/** The block reserver segment logs preallocate through, unless preallocation is off. Start it while this process is small: see FallocateReserver. */
export function startPreallocation(config: BrokerConfig, logger: Logger): FallocateReserver | null {
  if (config.logPreallocateBytes <= 0) return null;
  return FallocateReserver.start((reason) => logger.warn('broker.preallocation_unavailable', { reason }));
}
