import { startBroker } from '@gregor/testkit';
import { BenchConfig } from './config';
import { startNatsServer, startRedisServer } from './servers/peers';
import { openSystem, SystemClient, SystemName, SystemTarget } from './systems';

/** One system under one durability setting, with the driver's client for creating and deleting streams. */
export interface Variant {
  system: SystemName;
  /** How and when the system makes acknowledged records durable. */
  flush: string;
  target: SystemTarget;
  admin: SystemClient;
  /** The server process, whose CPU time is sampled around each worker. */
  serverPid: number | undefined;
}

/** Things to undo, in reverse order, when the benchmark ends or fails. */
export type Cleanups = Array<() => Promise<void>>;

/**
 * Gregor topics syncing on every acknowledgement group (its default), or
 * once a second like Redis' appendfsync everysec (the byte trigger is set
 * out of reach so only time triggers it).
 */
const GREGOR_FLUSH: ReadonlyArray<{ flush: string; topicConfigs: Record<string, string> }> = [
  { flush: 'always', topicConfigs: { 'flush.policy': 'always' } },
  { flush: 'interval-1s', topicConfigs: { 'flush.policy': 'interval', 'flush.interval.ms': '1000', 'flush.interval.bytes': String(2 ** 40) } },
];

async function startSystem(system: SystemName, cleanups: Cleanups): Promise<Variant[]> {
  const variantsOf = async (address: string, serverPid: number | undefined, settings: ReadonlyArray<{ flush: string; topicConfigs?: Record<string, string> }>): Promise<Variant[]> => {
    const variants: Variant[] = [];
    for (const { flush, topicConfigs } of settings) {
      const target: SystemTarget = { system, address, ...(topicConfigs ? { topicConfigs } : {}) };
      const admin = await openSystem(target);
      cleanups.push(() => admin.close());
      variants.push({ system, flush, target, admin, serverPid });
    }
    return variants;
  };
  switch (system) {
    case 'gregor': {
      const broker = await startBroker();
      cleanups.push(() => broker.cleanup());
      return variantsOf(broker.address, broker.pid, GREGOR_FLUSH);
    }
    case 'jetstream': {
      const server = await startNatsServer();
      cleanups.push(() => server.stop());
      // File storage, one replica; the server's default sync_interval (2 min) decides when it fsyncs.
      return variantsOf(server.address, server.pid, [{ flush: 'sync-interval-2m' }]);
    }
    case 'redis': {
      const server = await startRedisServer();
      cleanups.push(() => server.stop());
      return variantsOf(server.address, server.pid, [{ flush: 'aof-everysec' }]);
    }
  }
}

/** Starts one server process per configured system and lists what to measure on each. */
export async function startVariants(config: BenchConfig, cleanups: Cleanups): Promise<Variant[]> {
  const variants: Variant[] = [];
  for (const system of config.systems) variants.push(...(await startSystem(system, cleanups)));
  return variants;
}
