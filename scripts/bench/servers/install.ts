import { spawnSync } from 'child_process';

/** Debian packages providing the peer servers. */
const PACKAGES: Readonly<Record<string, string>> = { 'nats-server': 'nats-server', 'redis-server': 'redis-server', mosquitto: 'mosquitto' };

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function aptGet(args: string[]): boolean {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** Installs the Debian packages of the given server commands that are not on PATH yet. */
export function ensureServersInstalled(commands: string[]): void {
  const missing = commands.filter((command) => !onPath(command)).map((command) => PACKAGES[command]);
  if (missing.length === 0) return;
  process.stderr.write(`bench: installing ${missing.join(', ')} with apt-get\n`);
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  if (!aptGet(install) && !(aptGet(['update']) && aptGet(install))) {
    throw new Error(`could not install ${missing.join(', ')}: run "apt-get install -y ${missing.join(' ')}" as root`);
  }
  const stillMissing = commands.filter((command) => !onPath(command));
  if (stillMissing.length > 0) throw new Error(`${stillMissing.join(', ')} not on PATH after installing`);
}

/** The first line `command --version` prints, e.g. "nats-server: v2.9.10". */
export function serverVersion(command: string): string {
  return spawnSync(command, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
}
