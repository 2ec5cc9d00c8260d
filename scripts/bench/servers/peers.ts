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
