import * as net from 'node:net';
import { type ConnectionContext, MqttConnection } from './mqtt-connection';

export interface MqttServerOptions extends Omit<ConnectionContext, 'onClosed'> {
  maxConnections: number;
  onConnectionClosed?(reason: string): void;
}

/** The TCP listener: one MqttConnection per socket, at most maxConnections at once. */
export class MqttServer {
  private readonly server: net.Server;
  private readonly connections = new Set<MqttConnection>();
  /** Connections closed on arrival because the broker held its maximum. */
  refused = 0;

  constructor(private readonly options: MqttServerOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  private accept(socket: net.Socket): void {
    if (this.connections.size >= this.options.maxConnections) {
      this.refused++;
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

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting, then closes every connection (persistent sessions save their positions). */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await stopped;
  }
}
