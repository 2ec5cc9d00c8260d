import * as http2 from 'http2';
import type { AddressInfo } from 'net';
import { FLOW_CONTROL_WINDOW_BYTES } from '@gregor/proto';
import { waitFor } from '@gregor/testkit';
import { Connection } from '../../src/connection';

describe('Connection', () => {
  it('advertises a receive window past the 64 KiB HTTP/2 default, so fetched data is not throttled by round trips', async () => {
    const server = http2.createServer();
    const sessions: http2.ServerHttp2Session[] = [];
    server.on('session', (session) => sessions.push(session));
    server.on('stream', (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const connection = new Connection({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      await connection.unary('Admin', 'DescribeCluster', {}).catch(() => undefined);
      const opened = (): boolean =>
        sessions.some((s) => s.remoteSettings?.initialWindowSize === FLOW_CONTROL_WINDOW_BYTES && s.state.remoteWindowSize === FLOW_CONTROL_WINDOW_BYTES);
      await waitFor(opened, 5000, 'the client to advertise its stream and connection windows');
    } finally {
      connection.close();
      for (const session of sessions) session.destroy();
      server.close();
    }
  });
});
