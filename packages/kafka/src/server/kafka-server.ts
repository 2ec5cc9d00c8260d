import * as net from 'node:net';
import { listenTcp } from '@gregor/broker';
import { DEFAULT_MAX_FRAME_BYTES } from '../frame-splitter';
import { KafkaConnection } from './connection';
import type { ApiHandler } from './handler';

export interface KafkaServerOptions {
  /** APIs beyond ApiVersions, which the server answers itself from the API table. */
  handlers?: ReadonlyMap<number, ApiHandler>;
  maxFrameBytes?: number;
  onConnectionClosed?(reason: string): void;
}

/** A TCP listener speaking the Kafka protocol; everything it serves goes through the handlers. */
export class KafkaServer {
  private readonly server: net.Server;
  private readonly connections = new Set<net.Socket>();

  constructor(options: KafkaServerOptions = {}) {
    const connectionOptions = {
      handlers: options.handlers ?? new Map<number, ApiHandler>(),
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      onClose: options.onConnectionClosed ?? (() => undefined),
    };
    this.server = net.createServer((socket) => {
      socket.setNoDelay(true);
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
      new KafkaConnection(socket, connectionOptions);
    });
  }

  /** Listens on host:port (0: any free port); resolves with the port bound. */
  listen(host: string, port: number): Promise<number> {
    return listenTcp(this.server, host, port);
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
