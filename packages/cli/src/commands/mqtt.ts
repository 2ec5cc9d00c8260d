import { Command } from 'commander';
import { Admin, Cluster, GregorError, Producer } from '@gregor/client';
import { MAPPINGS_TOPIC, MappingStore, formatMapping, parseMapping, plainFilter, type TopicMapping } from '@gregor/mqtt';
import { OutputOptions, brokersOf, formatTable, outputOf, printJsonLines, withOutput } from '../options';

/** How long the CLI reads the mappings topic before it gives up, ms. */
const READ_TIMEOUT_MS = 30_000;

function asJson(mapping: TopicMapping): object {
  return { mapping: formatMapping(mapping), filter: mapping.filter, topic: mapping.logTopic, key: mapping.keyName };
}

/** Runs `body` with the cluster's added mappings read to their end, and a producer to change them. */
async function withMappings<T>(command: Command, body: (store: MappingStore, producer: Producer, admin: Admin) => Promise<T>): Promise<T> {
  const cluster = new Cluster({ brokers: brokersOf(command) });
  const admin = new Admin({ cluster });
  const producer = new Producer({ cluster, acks: 'all' });
  let store: MappingStore | null = null;
  try {
    const alive = (await admin.describeCluster()).brokers.filter((b) => b.alive).length;
    store = new MappingStore({
      cluster,
      replicationFactor: () => Math.max(1, Math.min(3, alive)),
      onError: (err) => process.stderr.write(`gregor: warning: ${err instanceof Error ? err.message : String(err)}\n`),
    });
    void store.start();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`could not read ${MAPPINGS_TOPIC} within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
    });
    await Promise.race([store.ready, timedOut]).finally(() => clearTimeout(timer));
    return await body(store, producer, admin);
  } finally {
    await store?.close();
    await producer.close().catch(() => undefined);
    admin.close();
    await cluster.close();
  }
}

export function mqttCommand(): Command {
  const mqtt = new Command('mqtt').description('the MQTT listeners of the cluster');
  const map = mqtt
    .command('map')
    .description("MQTT topic filters mapped to log topics, shared by every broker (after each broker's own --mqtt-map)");

  withOutput(map.command('add <mapping>'))
    .description('map a filter to an existing log topic, e.g. "chat/+room/messages -> chat, key = room"; replaces the mapping of the same filter')
    .action(async (text: string, opts: OutputOptions, cmd: Command) => {
      const mapping = parseMapping(text);
      await withMappings(cmd, async (_store, producer, admin) => {
        try {
          await admin.describeTopic(mapping.logTopic);
        } catch (err) {
          if (GregorError.from(err).code === 'NOT_FOUND') throw GregorError.notFound(`log topic ${mapping.logTopic} does not exist: create it first (gregor topic create ${mapping.logTopic})`);
          throw err;
        }
        await MappingStore.add(producer, mapping);
      });
      if (outputOf(opts) === 'json') printJsonLines([asJson(mapping)]);
      else process.stdout.write(`mapped ${formatMapping(mapping)}\n`);
    });

  withOutput(map.command('list'))
    .description('the mappings added with "mqtt map add", in the order brokers try them')
    .action(async (opts: OutputOptions, cmd: Command) => {
      const mappings = await withMappings(cmd, async (store) => store.values());
      if (outputOf(opts) === 'json') printJsonLines(mappings.map(asJson));
      else process.stdout.write(formatTable(['FILTER', 'LOG TOPIC', 'KEY'], mappings.map((m) => [m.spec, m.logTopic, m.keyName ?? '-'])));
    });

  withOutput(map.command('remove <filter>'))
    .description('remove the added mapping of a filter (named levels may be written: chat/+room/messages)')
    .action(async (filter: string, opts: OutputOptions, cmd: Command) => {
      const plain = plainFilter(filter);
      const removed = await withMappings(cmd, async (store, producer) => {
        const mapping = store.get(plain);
        if (mapping === undefined) {
          throw GregorError.notFound(`no mapping of ${plain} was added (a broker's --mqtt-map changes only with its restart)`);
        }
        await MappingStore.remove(producer, plain);
        return mapping;
      });
      if (outputOf(opts) === 'json') printJsonLines([asJson(removed)]);
      else process.stdout.write(`removed ${formatMapping(removed)}\n`);
    });

  return mqtt;
}
