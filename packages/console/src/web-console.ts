import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BrokerSurface, type HttpExtension, type HttpRoute, jsonReply } from '@gregor/broker';
import { Admin, Cluster } from '@gregor/client';
import { clusterOverview, groupViews, reassignments, topicViews } from './console-api';
import { clientFailure } from './console-error';
import { browseMessages } from './message-browser';

const PACKAGE_DIR = path.resolve(__dirname, '..');

/** The page may load only what this broker serves: a record that slipped into the markup would not run. */
const PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

function asset(file: string, contentType: string, headers?: Record<string, string>): HttpRoute {
  const body = fs.readFileSync(path.join(PACKAGE_DIR, file), 'utf8');
  return () => ({ status: 200, contentType, body, ...(headers ? { headers } : {}) });
}

/**
 * The web console on the broker's HTTP port: one page, its script and styles, and the JSON API
 * the page reads (`/api/...`), which asks the cluster through the SDK, as the CLI does, at this
 * broker's own client address.
 */
export class WebConsole implements HttpExtension {
  private cluster: Cluster | null = null;
  private admin: Admin | null = null;

  routes(surface: BrokerSurface): ReadonlyMap<string, HttpRoute> {
    const api = (answer: (admin: Admin, cluster: Cluster, url: URL) => Promise<unknown>): HttpRoute => async (url) => {
      this.cluster ??= new Cluster({ brokers: [surface.clientAddress] });
      this.admin ??= new Admin({ cluster: this.cluster });
      try {
        return jsonReply(200, await answer(this.admin, this.cluster, url));
      } catch (err) {
        const failure = clientFailure(err);
        if (failure) return jsonReply(failure.status, { error: failure.message });
        throw err;
      }
    };
    const page = asset('assets/index.html', 'text/html; charset=utf-8', { 'content-security-policy': PAGE_POLICY });
    return new Map<string, HttpRoute>([
      ['/', page],
      ['/console.js', asset('dist-browser/console.js', 'text/javascript; charset=utf-8')],
      ['/console.css', asset('assets/console.css', 'text/css; charset=utf-8')],
      ['/api/cluster', api((admin) => clusterOverview(admin))],
      ['/api/topics', api((admin) => topicViews(admin))],
      ['/api/groups', api((admin) => groupViews(admin))],
      ['/api/reassignments', api((admin) => reassignments(admin))],
      ['/api/messages', api((admin, cluster, url) => browseMessages(admin, cluster, url))],
    ]);
  }

  async close(): Promise<void> {
    this.admin?.close();
    this.cluster?.close();
  }
}
