import * as net from 'node:net';
import { FaultProxy } from '../src/fault-proxy';
import { waitFor } from '../src/wait-for';

/** An echo server that also remembers everything it received. */
async function startEcho(): Promise<{ server: net.Server; port: number; received: () => string }> {
  let received = '';
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, received: () => received };
}

/** A client socket that collects what it reads and whether it was closed. */
async function dial(port: number): Promise<{ socket: net.Socket; read: () => string; closed: () => boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  let read = '';
  let closed = false;
  socket.on('data', (chunk) => (read += chunk.toString()));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return { socket, read: () => read, closed: () => closed };
}

describe('FaultProxy', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let proxy: FaultProxy;
  const sockets: net.Socket[] = [];

  beforeEach(async () => {
    echo = await startEcho();
    proxy = await FaultProxy.start({ targetPort: echo.port });
  });

  afterEach(async () => {
    sockets.forEach((s) => s.destroy());
    sockets.length = 0;
    await proxy.close();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  async function client(): Promise<Awaited<ReturnType<typeof dial>>> {
    const c = await dial(proxy.port);
    sockets.push(c.socket);
    return c;
  }

  test('forwards bytes both ways', async () => {
    const c = await client();
    c.socket.write('hello');
    await waitFor(() => c.read() === 'hello', 5000, 'echo through the proxy');
    expect(proxy.forwarded).toEqual({ forward: 5, backward: 5 });
    expect(proxy.state).toBe('open');
  });

  test('block cuts live connections and blackholes new ones until heal', async () => {
    const before = await client();
    proxy.block();
    await waitFor(() => before.closed(), 5000, 'live connection cut');

    const during = await client();
    during.socket.write('lost');
    await waitFor(() => proxy.dropped.forward === 4, 5000, 'bytes swallowed');
    expect(echo.received()).toBe('');
    expect(during.read()).toBe('');

    proxy.heal();
    await waitFor(() => during.closed(), 5000, 'blackholed connection cut on heal');
    const after = await client();
    after.socket.write('back');
    await waitFor(() => after.read() === 'back', 5000, 'echo after heal');
  });

  test('one-way loss drops one direction only', async () => {
    const c = await client();
    proxy.blockOneWay('backward');
    c.socket.write('ping');
    await waitFor(() => echo.received() === 'ping', 5000, 'request still delivered');
    expect(c.read()).toBe('');

    proxy.heal();
    await waitFor(() => c.closed(), 5000, 'link that lost bytes is cut on heal');

    const d = await client();
    proxy.blockOneWay('forward');
    d.socket.write('dropped');
    await waitFor(() => proxy.dropped.forward === 7, 5000, 'request dropped');
    expect(echo.received()).toBe('ping');
    expect(proxy.dropped.backward).toBe(4);
  });

  test('a healed link that lost nothing stays connected', async () => {
    const c = await client();
    proxy.blockOneWay('forward');
    proxy.heal();
    c.socket.write('still');
    await waitFor(() => c.read() === 'still', 5000, 'echo on the same connection');
    expect(c.closed()).toBe(false);
  });

  test('added latency delays delivery but keeps order', async () => {
    proxy.setLatency(150);
    const c = await client();
    const started = Date.now();
    for (const part of ['a', 'b', 'c', 'd']) c.socket.write(part);
    await waitFor(() => c.read() === 'abcd', 5000, 'ordered echo');
    // Each way adds 150 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('a dialer to a dead target is disconnected', async () => {
    const dead = await FaultProxy.start({ targetPort: 1 });
    try {
      const c = await dial(dead.port);
      await waitFor(() => c.closed(), 5000, 'connection closed');
    } finally {
      await dead.close();
    }
  });
});
