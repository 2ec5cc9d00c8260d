/** What the console needs of a LocalCluster. */
export interface ConsoleCluster {
  readonly ids: readonly number[];
  isRunning(id: number): boolean;
  address(id: number): string;
  start(id: number): Promise<void>;
  kill(id: number, signal?: NodeJS.Signals): Promise<unknown>;
}

export const CONSOLE_HELP =
  'commands: status | stop <id> (SIGTERM) | kill <id> (SIGKILL) | start <id> | restart <id> (stop if running, then start) | help';

function status(cluster: ConsoleCluster): string {
  return cluster.ids.map((id) => `broker ${id}  ${cluster.address(id)}  ${cluster.isRunning(id) ? 'running' : 'stopped'}`).join('\n');
}

/**
 * Runs one line typed at `npm run cluster`: people try killing and restarting brokers first, and
 * a broker the script started can only be restarted on its port and data directory by the script.
 * Resolves with what to print.
 */
export async function runConsoleCommand(cluster: ConsoleCluster, line: string): Promise<string> {
  const [command = '', arg, ...rest] = line.trim().split(/\s+/);
  if (command === '') return '';
  if (command === 'help') return CONSOLE_HELP;
  if (command === 'status' && arg === undefined) return status(cluster);
  const id = Number(arg);
  const known = rest.length === 0 && cluster.ids.includes(id);
  if (!known) return arg === undefined ? `unknown command ${JSON.stringify(line.trim())}; ${CONSOLE_HELP}` : `no broker ${arg}; brokers are ${cluster.ids.join(', ')}`;
  switch (command) {
    case 'stop':
    case 'kill':
      if (!cluster.isRunning(id)) return `broker ${id} is not running`;
      await cluster.kill(id, command === 'stop' ? 'SIGTERM' : 'SIGKILL');
      return `broker ${id} stopped`;
    case 'start':
      if (cluster.isRunning(id)) return `broker ${id} is already running`;
      await cluster.start(id);
      return `broker ${id} started at ${cluster.address(id)}`;
    case 'restart':
      if (cluster.isRunning(id)) await cluster.kill(id, 'SIGTERM');
      await cluster.start(id);
      return `broker ${id} restarted at ${cluster.address(id)}`;
    default:
      return `unknown command ${JSON.stringify(command)}; ${CONSOLE_HELP}`;
  }
}
