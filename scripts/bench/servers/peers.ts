import * as fs from 'fs';
import * as path from 'path';
import { ServerProcess } from './server-process';

/** nats-server with JetStream, file storage under a temporary directory, on 127.0.0.1. */
export function startNatsServer(): Promise<ServerProcess> {
  return ServerProcess.start('nats-server', 'nats-server', (port, dir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir]);
}

/** redis-server with an append-only file synced every second, no RDB snapshots, on 127.0.0.1. */
export function startRedisServer(): Promise<ServerProcess> {
  return ServerProcess.start('redis-server', 'redis-server', (port, dir) => [
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
  ]);
}

/**
 * Mosquitto on 127.0.0.1, in memory (it keeps no log), anonymous, Nagle off as Gregor's listener
 * has it, with no cap on connections or queued messages so that neither limits a figure.
 */
export function startMosquitto(): Promise<ServerProcess> {
  return ServerProcess.start('mosquitto', 'mosquitto', (port, dir) => {
    const config = path.join(dir, 'mosquitto.conf');
    const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'set_tcp_nodelay true', 'max_connections -1', 'max_queued_messages 0', 'log_dest none'];
    fs.writeFileSync(config, `${lines.join('\n')}\n`);
    return ['-c', config];
  });
}
