import * as net from 'node:net';

/** Which way bytes travel: forward = from the dialing side to the target, backward = the replies. */
export type ProxyDirection = 'forward' | 'backward';

/**
 * What the proxy does now:
 * - open: forwards both ways;
 * - blocked: a partition; live connections are cut and new ones are held open without a byte
 *   forwarded (a blackhole: the dialer sees a connection that never answers);
 * - forward-blocked / backward-blocked: one-way loss; bytes that way are dropped.
 */
export type ProxyState = 'open' | 'blocked' | 'forward-blocked' | 'backward-blocked';

export interface FaultProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** Default 0: an ephemeral port. */
  listenPort?: number;
  /** Delay added to every chunk each way, ms (default 0). */
  latencyMs?: number;
}

/** One proxied connection: the dialer's socket and ours to the target. */
interface Link {
  client: net.Socket;
  target: net.Socket | null;
  /** Bytes were dropped on this link, so its byte stream is broken: it is cut on heal. */
  lostBytes: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 that can partition, drop one direction, or delay
 * what it carries. Tests put one between each ordered pair of brokers.
 * Dropping bytes breaks a stream's framing, so a link that lost bytes is cut
 * on heal and the dialer reconnects, as it would after a real outage.
 */
export class FaultProxy {
  private readonly links = new Set<Link>();
  private stateNow: ProxyState = 'open';
  private latency: number;
  private closed = false;
  /** Bytes delivered each way, for tests and reports. */
  readonly forwarded = { forward: 0, backward: 0 };
  /** Bytes dropped each way by one-way loss or a partition. */
  readonly dropped = { forward: 0, backward: 0 };

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    readonly targetHost: string,
    readonly targetPort: number,
    latencyMs: number,
  ) {
    this.latency = latencyMs;
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.listenPort ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as net.AddressInfo).port;
    return new FaultProxy(server, port, options.targetHost ?? '127.0.0.1', options.targetPort, options.latencyMs ?? 0);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get state(): ProxyState {
    return this.stateNow;
  }

  get connectionCount(): number {
    return this.links.size;
  }

  /** A partition: cuts every connection; new ones are accepted and then ignored until heal(). */
  block(): void {
    this.stateNow = 'blocked';
    for (const link of [...this.links]) this.cut(link);
  }

  /** One-way loss: bytes travelling `direction` are dropped until heal(). */
  blockOneWay(direction: ProxyDirection): void {
    this.stateNow = direction === 'forward' ? 'forward-blocked' : 'backward-blocked';
  }

  /** Forwards both ways again; connections whose streams lost bytes are cut so their dialers reconnect. */
  heal(): void {
    this.stateNow = 'open';
    for (const link of [...this.links]) if (link.lostBytes || link.target === null) this.cut(link);
  }

  setLatency(ms: number): void {
    this.latency = ms;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const link of [...this.links]) this.cut(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    client.setNoDelay(true);
    const link: Link = { client, target: null, lostBytes: false };
    this.links.add(link);
    client.on('error', () => this.cut(link));
    client.on('close', () => this.cut(link));
    if (this.stateNow === 'blocked') {
      // Blackholed: whatever the dialer sends is swallowed.
      link.lostBytes = true;
      client.on('data', (chunk: Buffer) => (this.dropped.forward += chunk.length));
      return;
    }
    const target = net.connect({ host: this.targetHost, port: this.targetPort, noDelay: true });
    link.target = target;
    target.on('error', () => this.cut(link));
    target.on('close', () => this.cut(link));
    this.pipe(link, client, target, 'forward');
    this.pipe(link, target, client, 'backward');
  }

  private pipe(link: Link, from: net.Socket, to: net.Socket, direction: ProxyDirection): void {
    from.on('data', (chunk: Buffer) => {
      if (this.stateNow === 'blocked' || this.stateNow === `${direction}-blocked`) {
        link.lostBytes = true;
        this.dropped[direction] += chunk.length;
        return;
      }
      if (this.latency > 0) {
        // Equal delays fire in the order they were set, so the stream's order holds.
        setTimeout(() => this.deliver(link, to, chunk, direction), this.latency);
        return;
      }
      if (!this.deliver(link, to, chunk, direction)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
  }

  /** Writes unless the link was cut meanwhile; returns false when `to` wants the sender to pause. */
  private deliver(link: Link, to: net.Socket, chunk: Buffer, direction: ProxyDirection): boolean {
    if (!this.links.has(link) || to.destroyed) return true;
    this.forwarded[direction] += chunk.length;
    return to.write(chunk);
  }

  private cut(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.destroy();
    link.target?.destroy();
  }
}
