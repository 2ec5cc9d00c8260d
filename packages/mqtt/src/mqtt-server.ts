import * as net from 'node:net';
import { listenTcp } from '@gregor/broker';
import { type ConnectionContext, MqttConnection } from './mqtt-connection';

export interface MqttServerOptions extends Omit<ConnectionContext, 'onClosed'> {
  maxConnections: number;
  onConnectionClosed?(reason: string): void;
}

/** The TCP listener: one MqttConnection per socket, at most maxConnections at once. */
export class MqttServer {
  private readonly server: net.Server;
  private readonly connections = new Set<MqttConnection>();

  constructor(private readonly options: MqttServerOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  private accept(socket: net.Socket): void {
    if (this.connections.size >= this.options.maxConnections) {
      socket.destroy();
      return;
    }
    const connection = new MqttConnection(socket, {
      ...this.options,
      onClosed: (reason) => {
        this.connections.delete(connection);
        this.options.onConnectionClosed?.(reason);
      },
    });
    this.connections.add(connection);
  }

  /** Resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return listenTcp(this.server, host, port);
  }

  /** Stops accepting, then closes every connection (persistent sessions save their positions). */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await stopped;
  }
}
