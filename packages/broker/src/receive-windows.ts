import type * as http2 from 'http2';
import type * as grpc from '@grpc/grpc-js';

/**
 * Raises the HTTP/2 receive windows of every session `server` accepts from now
 * on. grpc-js honours `grpc-node.flow_control_window` on client channels only
 * (grpc/grpc-node#3058 adds it to servers), so without this a broker reads
 * produce requests and peer traffic through HTTP/2's 64 KiB default window.
 * The HTTP/2 servers grpc-js bound are reached through its private
 * `http2Servers` map; false when that is gone (a grpc-js upgrade), so the
 * broker can say it runs with default windows instead of failing.
 */
export function raiseReceiveWindows(server: grpc.Server, bytes: number): boolean {
  const bound = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(bound instanceof Map) || bound.size === 0) return false;
  for (const http2Server of bound.keys() as IterableIterator<http2.Http2Server>) {
    http2Server.on('session', (session: http2.ServerHttp2Session) => {
      session.settings({ initialWindowSize: bytes });
      session.setLocalWindowSize(bytes);
    });
  }
  return true;
}
