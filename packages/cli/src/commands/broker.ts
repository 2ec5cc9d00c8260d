import { Command } from 'commander';
import { Broker, BrokerConfig, type BrokerStartOptions, CONFIG_SETTINGS, FrontEnd, Logger, jsonLogger, loadBrokerConfig } from '@gregor/broker';
import { WebConsole } from '@gregor/console';
import { KafkaFrontEnd } from '@gregor/kafka';
import { MqttFrontEnd, parseMappings, TopicMappings } from '@gregor/mqtt';
import { OutputOptions, outputOf, parseInteger, printJsonLines, withOutput } from '../options';
import { waitForMoves } from '../reassignment-progress';
import { withAdmin } from './with-admin';

/** What the CLI wires into a broker: the listeners for other protocols and the web console. */
export type BrokerWiring = Pick<BrokerStartOptions, 'frontEnds' | 'httpExtensions'>;

export type StartBroker = (config: BrokerConfig, logger: Logger, wiring: BrokerWiring) => Promise<Broker>;

/** The listeners for other protocols that the config turns on. */
function frontEndsOf(config: BrokerConfig, logger: Logger): FrontEnd[] {
  const frontEnds: FrontEnd[] = [];
  if (config.kafkaPort !== 0) {
    frontEnds.push(new KafkaFrontEnd({
      host: config.host,
      port: config.kafkaPort,
      advertisedAddress: config.kafkaAdvertisedAddress,
      onConnectionClosed: (reason) => logger.debug('kafka.connection_closed', { reason }),
    }));
  }
  if (config.mqttPort !== 0) {
    frontEnds.push(new MqttFrontEnd({
      host: config.host,
      port: config.mqttPort,
      mappings: new TopicMappings(parseMappings(config.mqttMap)),
      maxConnections: config.mqttMaxConnections,
      maxPacketBytes: config.mqttMaxPacketBytes,
      onConnectionClosed: (reason) => logger.debug('mqtt.connection_closed', { reason }),
      onError: (error) => logger.warn('mqtt.retained_unavailable', { error: String(error) }),
    }));
  }
  return frontEnds;
}

/** `startBroker` is replaced only by test harnesses that run a broker built differently under the same flags. */
export function brokerCommand(startBroker: StartBroker = (config, logger, wiring) => Broker.start(config, logger, wiring)): Command {
  const broker = new Command('broker').description('run a Gregor broker');
  const start = broker
    .command('start')
    .description('start a single-node broker; stops gracefully on SIGTERM or SIGINT')
    .option('--config <file>', 'JSON config file (keys as in README "Using the broker")');
  for (const setting of CONFIG_SETTINGS) {
    start.option(`${setting.flag} <value>`, `${setting.description} (env ${setting.env}, default ${JSON.stringify(setting.default)})`);
  }
  start.action(async (opts: Record<string, string | undefined>) => {
    const flags: Record<string, string | undefined> = {};
    // Each flag's camelCase name is its setting key (--data-dir -> dataDir).
    for (const setting of CONFIG_SETTINGS) flags[setting.key] = opts[setting.key];
    const config = loadBrokerConfig({ flags, env: process.env, configFile: opts.config });
    const logger = jsonLogger(config.logLevel);
    const running = await startBroker(config, logger, { frontEnds: frontEndsOf(config, logger), httpExtensions: [new WebConsole()] });
    let signals = 0;
    const stop = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        logger.warn('broker.exit_now', { signal });
        process.exit(1);
      }
      logger.info('broker.signal', { signal });
      running.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('broker.stop_failed', { error: String(err) });
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  withOutput(broker.command('decommission <id>'))
    .description('move every replica off a broker (keeping each partition\'s replication factor), then mark it removed so it can be stopped')
    .option('--wait', 'show the moves\' progress until the broker is removed')
    .option('--cancel', 'call the decommission off: moves still under way go back, and the broker takes replicas again')
    .action(async (idRaw: string, opts: OutputOptions & { wait?: boolean; cancel?: boolean }, cmd: Command) => {
      const id = parseInteger(1)(idRaw);
      await withAdmin(cmd, async (admin) => {
        if (opts.cancel) {
          const { moves } = await admin.cancelDecommission(id);
          if (outputOf(opts) === 'json') printJsonLines(moves);
          else process.stdout.write(`decommission of broker ${id} cancelled: ${moves.length} partition(s) going back\n` + movesList(moves));
          return;
        }
        const { moves } = await admin.decommissionBroker(id);
        if (outputOf(opts) === 'json') printJsonLines(moves);
        else process.stdout.write(`decommissioning broker ${id}: ${moves.length} partition(s) moving\n` + movesList(moves));
        if (!opts.wait) return;
        await waitForMoves(admin, outputOf(opts), (m) => moves.some((x) => x.topic === m.topic && x.partition === m.partition), async () => {
          const state = (await admin.describeCluster()).brokers.find((b) => b.id === id)?.state;
          if (state !== 'removed') return false;
          if (outputOf(opts) !== 'json') process.stdout.write(`broker ${id} removed: it holds no replicas and can be stopped\n`);
          return true;
        });
      });
    });
  return broker;
}

/** One line per move: the partition and the replicas it goes to. */
function movesList(moves: ReadonlyArray<{ topic: string; partition: number; replicas: number[] }>): string {
  return moves.map((m) => `  ${m.topic}-${m.partition} -> [${m.replicas.join(',')}]\n`).join('');
}
