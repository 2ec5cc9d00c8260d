/**
 * `npm run cluster -- --brokers 3 [--base-port 7071] [--data-root ./data/cluster]`:
 * a local cluster of broker processes in the foreground, each with its own
 * data directory (broker-<id> under the data root), until Ctrl-C. Lines typed
 * on stdin stop, kill, start and restart brokers (see CONSOLE_HELP).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import { CLI_MAIN, CONSOLE_HELP, LocalCluster, runConsoleCommand, startCluster } from '@gregor/testkit';

function positiveInteger(name: string, raw: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} expects a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** Whether the built CLI has a command (e.g. `cluster`, which issue 5 adds). */
function cliHas(command: string): boolean {
  return fs.existsSync(path.join(path.dirname(CLI_MAIN), 'commands', `${command}.js`));
}

function usage(cluster: LocalCluster): string {
  const cli = `node ${path.relative(process.cwd(), CLI_MAIN)}`;
  const lines = ['', `gregor cluster: ${cluster.ids.length} brokers running`];
  for (const id of cluster.ids) {
    lines.push(`  broker ${id}  ${cluster.address(id)}  peers at ${cluster.peerAddress(id)}  data ${cluster.dataDir(id)}  pid ${cluster.broker(id).pid}`);
  }
  lines.push(
    '',
    `--bootstrap ${cluster.bootstrap}`,
    '',
    'Clients take the list as --broker or GREGOR_BROKER. Try:',
    `  export GREGOR_BROKER=${cluster.bootstrap}`,
    ...(cliHas('cluster') ? [`  ${cli} cluster describe`] : []),
    `  ${cli} topic create events --partitions 3`,
    `  echo hello | ${cli} produce events`,
    `  ${cli} consume events --from-beginning`,
    '',
    `Type a command to kill and restart brokers (${CONSOLE_HELP}).`,
    'Ctrl-C stops every broker.',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: '3' },
      'base-port': { type: 'string', default: '7071' },
      'data-root': { type: 'string', default: './data/cluster' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  const brokers = positiveInteger('brokers', values.brokers!);
  const basePort = positiveInteger('base-port', values['base-port']!);
  const dataRoot = path.resolve(values['data-root']!);
  process.stderr.write(
    `starting ${brokers} brokers on client ports ${basePort}..${basePort + brokers - 1} and peer ports ${basePort + brokers}..${basePort + 2 * brokers - 1}, data under ${dataRoot}\n`,
  );
  const cluster = await startCluster({ brokers, basePort, dataRoot, config: { 'log-level': values['log-level']! } });
  process.stdout.write(usage(cluster));

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('stopping brokers...\n');
    await cluster.stopAll('SIGTERM');
    await cluster.cleanup();
    process.stderr.write('stopped\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Report a broker that stops, once; the rest keep running.
  const down = new Set<number>();
  const watch = setInterval(() => {
    for (const id of cluster.ids) {
      if (cluster.isRunning(id)) down.delete(id);
      else if (!stopping && !down.has(id)) {
        down.add(id);
        process.stderr.write(`broker ${id} is not running (restart ${id} starts it again)\n`);
      }
    }
  }, 1000);
  watch.unref();
  let commands = Promise.resolve();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    commands = commands
      .then(() => runConsoleCommand(cluster, line))
      .then(
        (answer) => void (answer && process.stdout.write(answer + '\n')),
        (err: Error) => void process.stderr.write(`${err.message}\n`),
      );
  });
  await new Promise<never>(() => undefined);
}

main().catch((err: Error) => {
  process.stderr.write(`cluster: ${err.message}\n`);
  process.exit(1);
});
