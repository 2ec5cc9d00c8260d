import { Admin } from '@gregor/client';
import { LocalCluster, startBroker, startCluster, waitFor } from '@gregor/testkit';
import { BenchConfig } from './config';
import { GREGOR_FLUSH } from './gregor-flush';
import { startNatsServer, startRedisServer } from './servers/peers';
import { openSystem, SystemClient, SystemName, SystemTarget } from './systems';

/** One system under one durability setting, with the driver's client for creating and deleting streams. */
export interface Variant {
  system: SystemName;
  /** How and when the system makes acknowledged records durable. */
  flush: string;
  target: SystemTarget;
  admin: SystemClient;
  /** The server processes running now, whose CPU time is sampled around each worker. */
  serverPids(): number[];
  /** The brokers of a Gregor cluster, for the failover phase to kill and restart. */
  cluster?: LocalCluster;
}

/** Things to undo, in reverse order, when the benchmark ends or fails. */
export type Cleanups = Array<() => Promise<void>>;

/** Brokers in the replicated cluster, and so replicas per partition. */
const RF3_BROKERS = 3;

const CLUSTER_FORM_TIMEOUT_MS = 60_000;

const SCRAPE_INTERVAL_MS = 1000;

/** Brokers register with the controller a moment after they start; topics created before that get fewer replicas. */
async function waitUntilEveryBrokerAlive(cluster: LocalCluster): Promise<void> {
  const admin = new Admin({ brokers: cluster.bootstrap });
  try {
    const formed = async (): Promise<boolean> => {
      const { brokers } = await admin.describeCluster();
      return brokers.length === cluster.ids.length && brokers.every((b) => b.alive);
    };
    await waitFor(formed, CLUSTER_FORM_TIMEOUT_MS, `all ${cluster.ids.length} brokers to register`, 100);
  } finally {
    admin.close();
  }
}

interface Setting {
  flush: string;
  topicConfigs?: Record<string, string>;
}

async function startSystem(system: SystemName, config: BenchConfig, cleanups: Cleanups): Promise<Variant[]> {
  const gregorFlush = GREGOR_FLUSH.filter((f) => config.gregorFlush.includes(f.flush));
  const variantsOf = async (
    address: string,
    serverPids: () => number[],
    settings: readonly Setting[],
    extra: { replicationFactor?: number; cluster?: LocalCluster } = {},
  ): Promise<Variant[]> => {
    const variants: Variant[] = [];
    for (const { flush, topicConfigs } of settings) {
      const target: SystemTarget = { system, address, ...(topicConfigs ? { topicConfigs } : {}) };
      if (extra.replicationFactor !== undefined) target.replicationFactor = extra.replicationFactor;
      const admin = await openSystem(target);
      cleanups.push(() => admin.close());
      variants.push({ system, flush, target, admin, serverPids, ...(extra.cluster ? { cluster: extra.cluster } : {}) });
    }
    return variants;
  };
  const pidsOf = (pid: number | undefined) => (): number[] => (pid === undefined ? [] : [pid]);
  switch (system) {
    case 'gregor': {
      const broker = await startBroker();
      cleanups.push(() => broker.cleanup());
      return variantsOf(broker.address, pidsOf(broker.pid), gregorFlush);
    }
    case 'gregor-metrics': {
      // Metrics recorded and scraped every second (Prometheus' default is every 15 s): what they cost beside 'gregor'.
      const broker = await startBroker({ metrics: true });
      const scraper = setInterval(() => void fetch(`${broker.metricsUrl}/metrics`).then((r) => r.text()).catch(() => undefined), SCRAPE_INTERVAL_MS);
      cleanups.push(async () => {
        clearInterval(scraper);
        await broker.cleanup();
      });
      return variantsOf(broker.address, pidsOf(broker.pid), gregorFlush);
    }
    case 'gregor-rf3': {
      const cluster = await startCluster({ brokers: RF3_BROKERS });
      cleanups.push(() => cluster.cleanup());
      await waitUntilEveryBrokerAlive(cluster);
      const pids = (): number[] => cluster.live().flatMap((id) => cluster.broker(id).pid ?? []);
      return variantsOf(cluster.bootstrap, pids, gregorFlush, { replicationFactor: RF3_BROKERS, cluster });
    }
    case 'gregor-kafkajs': {
      const broker = await startBroker({ kafka: true });
      cleanups.push(() => broker.cleanup());
      return variantsOf(broker.kafkaAddress, pidsOf(broker.pid), gregorFlush);
    }
    case 'jetstream': {
      const server = await startNatsServer();
      cleanups.push(() => server.stop());
      // File storage, one replica; the server's default sync_interval (2 min) decides when it fsyncs.
      return variantsOf(server.address, pidsOf(server.pid), [{ flush: 'sync-interval-2m' }]);
    }
    case 'redis': {
      const server = await startRedisServer();
      cleanups.push(() => server.stop());
      return variantsOf(server.address, pidsOf(server.pid), [{ flush: 'aof-everysec' }]);
    }
  }
}

/** Starts the server processes of each configured system and lists what to measure on each. */
export async function startVariants(config: BenchConfig, cleanups: Cleanups): Promise<Variant[]> {
  const variants: Variant[] = [];
  for (const system of config.systems) variants.push(...(await startSystem(system, config, cleanups)));
  return variants;
}
