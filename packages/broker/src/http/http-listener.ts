import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrokerSurface } from '../front-end';
import type { Logger } from '../logger';
import { errorFields } from '../logger';

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
  /** More response headers, e.g. a page's Content-Security-Policy. */
  headers?: Record<string, string>;
}

/** Answers a GET of one path; `url` carries the query string. */
export type HttpRoute = (url: URL) => Promise<HttpReply> | HttpReply;

/**
 * Pages and APIs served on the broker's HTTP port beside /metrics and the probes (the web
 * console), wired in by whoever starts the broker, as front ends are.
 */
export interface HttpExtension {
  routes(surface: BrokerSurface): ReadonlyMap<string, HttpRoute>;
  close(): Promise<void>;
}

export function jsonReply(status: number, value: unknown): HttpReply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

/**
 * The broker's HTTP port: GETs of known paths, everything else 404 (405 for another method).
 * A route that throws answers 500 with a line saying so; the error itself goes to the log, never
 * to the client.
 */
export class HttpListener {
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(host: string, port: number, routes: ReadonlyMap<string, HttpRoute>, logger: Logger): Promise<HttpListener> {
    const server = http.createServer((request, response) => {
      void answer(request, routes, logger).then((reply) => {
        response.writeHead(reply.status, { 'content-type': reply.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...reply.headers });
        response.end(request.method === 'HEAD' ? undefined : reply.body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HttpListener(server, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function answer(request: http.IncomingMessage, routes: ReadonlyMap<string, HttpRoute>, logger: Logger): Promise<HttpReply> {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://broker');
  } catch {
    return jsonReply(400, { error: 'the request target is not a valid URL' });
  }
  const route = routes.get(url.pathname);
  if (!route) return jsonReply(404, { error: `no such path: ${url.pathname}` });
  if (request.method !== 'GET' && request.method !== 'HEAD') return jsonReply(405, { error: `${url.pathname} answers GET only` });
  try {
    return await route(url);
  } catch (err) {
    logger.error('http.failed', { path: url.pathname, ...errorFields(err) });
    return jsonReply(500, { error: 'internal error; the broker log has the details' });
  }
}
