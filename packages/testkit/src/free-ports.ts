import * as net from 'node:net';

/**
 * Ports are handed out below Linux's ephemeral range (32768 up), where the kernel picks the local
 * port of every outgoing connection and of every listener on port 0: a port it picked and freed
 * could be taken by a client's connection before the broker meant to listen on it binds (CI saw
 * EADDRINUSE). Each Jest worker takes its own slice, so parallel test files do not pick alike.
 */
const RANGE_START = 10_000;
const SLICES = 8;
const SLICE_PORTS = 2_500;

const worker = Number(process.env.JEST_WORKER_ID ?? 0);
const sliceStart = RANGE_START + ((Number.isInteger(worker) && worker > 0 ? worker : process.pid) % SLICES) * SLICE_PORTS;
/** The next port to try, moving on through the slice so a port released by one test is not the next one's. */
let cursor = process.pid % SLICE_PORTS;

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports of this worker's slice that were free a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tried = 0; ports.length < count; tried++) {
    if (tried >= SLICE_PORTS) throw new Error(`no free port among ${SLICE_PORTS} from ${sliceStart}`);
    const port = sliceStart + cursor;
    cursor = (cursor + 1) % SLICE_PORTS;
    if (await listenable(port)) ports.push(port);
  }
  return ports;
}
