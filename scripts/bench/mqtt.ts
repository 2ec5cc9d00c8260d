/**
 * MQTT, Gregor beside Mosquitto in one run on this machine, through the same lean load client:
 *   1. idle connections (CONNECTed, no keep-alive) on a fresh broker, opened until its resident
 *      memory passes 1 GiB or --idle (default 18,000: a process here may open 20,000 files) are
 *      held; the memory each took gives the number 1 GiB would hold;
 *   2. QoS 1 publish of 1 KiB payloads for --seconds from 1 connection and from --connections
 *      (100), with --window (500) PUBLISHes unacknowledged in all: msg/s and PUBACK p99;
 *   3. fan-out: one QoS 1 publisher, --subscribers (100) QoS 0 subscribers of its topic:
 *      deliveries/s with the publisher as fast as --window lets it, then publish-to-delivery
 *      p99 with it at --fan-rate (200) msg/s.
 * Gregor runs 3 brokers and replicates every partition 3 ways (acks=all: a PUBACK means a
 * Raft quorum has the message); Mosquitto replicates nothing and keeps messages in memory.
 * Clients connect to Gregor's broker 1.
 *
 *   npm run bench:mqtt [-- --seconds 10 --connections 100 --window 500 --subscribers 100 --fan-rate 200 --idle 18000]
 */
import { performance } from 'perf_hooks';
import { Admin } from '@gregor/client';
import { startCluster, waitFor } from '@gregor/testkit';
import { LoadClient, stampOf } from './mqtt-load';
import { percentile } from './percentiles';
import { ensureServersInstalled, serverVersion } from './servers/install';
import { startMosquitto } from './servers/peers';
import { processRssBytes } from './servers/process-memory';

const PAYLOAD_BYTES = 1024;
const GIB = 1024 * 1024 * 1024;
const CONNECT_BATCH = 250;
/** Fan-out stops waiting for deliveries that have not grown for this long, ms. */
const SETTLE_MS = 5000;
/** Idle connections opened between two readings of the broker's memory. */
const IDLE_STEP = 1000;

interface Target {
  readonly name: string;
  readonly port: number;
  readonly pid: number | undefined;
}

interface PublishFigures {
  readonly rate: number;
  readonly p99Ms: number;
}

interface FanOutFigures extends PublishFigures {
  readonly expected: number;
  readonly delivered: number;
}

/** Resolves once count() reaches `expected`, or has not grown for SETTLE_MS. */
async function settled(count: () => number, expected: number): Promise<void> {
  let last = -1;
  let since = performance.now();
  while (count() < expected) {
    if (count() !== last) {
      last = count();
      since = performance.now();
    } else if (performance.now() - since > SETTLE_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function connectMany(target: Target, count: number, prefix: string, localAddresses: readonly string[] = []): Promise<LoadClient[]> {
  const clients: LoadClient[] = [];
  while (clients.length < count) {
    const batch = Math.min(CONNECT_BATCH, count - clients.length);
    const base = clients.length;
    clients.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => LoadClient.connect(target.port, `${prefix}-${base + i}`, localAddresses[(base + i) % localAddresses.length])))));
  }
  return clients;
}

/** `window` unacknowledged PUBLISHes in all, shared by the connections. */
async function publishRate(target: Target, connections: number, window: number, seconds: number): Promise<PublishFigures> {
  const clients = await connectMany(target, connections, `pub-${connections}`);
  const each = Math.max(1, Math.round(window / connections));
  try {
    const started = performance.now();
    const latencies = (await Promise.all(clients.map((c, i) => c.publishFor(`bench/c${i}`, PAYLOAD_BYTES, each, seconds * 1000)))).flat();
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { rate: latencies.length / elapsed, p99Ms: percentile(latencies, 0.99) };
  } finally {
    clients.forEach((c) => c.close());
  }
}

/**
 * One publisher, `subscribers` subscribers of its topic: as fast as the publisher's window allows
 * (perSecond 0), or at perSecond messages a second.
 */
async function fanOut(target: Target, subscribers: number, window: number, perSecond: number, seconds: number): Promise<FanOutFigures> {
  const topic = 'fan/room';
  const delays: number[] = [];
  let lastDelivery = 0;
  const receivers = await connectMany(target, subscribers, 'sub');
  const [publisher] = await connectMany(target, 1, 'fan-pub');
  try {
    await Promise.all(
      receivers.map((r) =>
        r.subscribe(topic, (payload) => {
          lastDelivery = performance.now();
          delays.push(lastDelivery - stampOf(payload));
        }),
      ),
    );
    const started = performance.now();
    const published =
      perSecond > 0
        ? await publisher.publishAtRate(topic, PAYLOAD_BYTES, perSecond, seconds * 1000)
        : (await publisher.publishFor(topic, PAYLOAD_BYTES, window, seconds * 1000, true)).length;
    await settled(() => delays.length, published * subscribers);
    delays.sort((a, b) => a - b);
    return { rate: delays.length / ((lastDelivery - started) / 1000), p99Ms: percentile(delays, 0.99), expected: published * subscribers, delivered: delays.length };
  } finally {
    [publisher, ...receivers].forEach((c) => c.close());
  }
}

/** Opens idle connections while the broker stays within 1 GiB resident, up to `limit`. */
async function idleConnections(target: Target, limit: number, localAddresses: readonly string[]): Promise<{ held: number; rssBytes: number; baselineBytes: number }> {
  const baselineBytes = processRssBytes(target.pid) ?? NaN;
  const clients: LoadClient[] = [];
  let held = 0;
  let rssBytes = baselineBytes;
  try {
    while (clients.length < limit && rssBytes <= GIB) {
      clients.push(...(await connectMany(target, Math.min(IDLE_STEP, limit - clients.length), `idle-${clients.length}`, localAddresses)));
      rssBytes = processRssBytes(target.pid) ?? NaN;
      if (rssBytes <= GIB) held = clients.length;
    }
    return { held, rssBytes, baselineBytes };
  } finally {
    clients.forEach((c) => c.close());
  }
}

async function main(): Promise<void> {
  const seconds = flag('seconds', 10);
  const connections = flag('connections', 100);
  const subscribers = flag('subscribers', 100);
  const window = flag('window', 500);
  const idleLimit = flag('idle', 18_000);
  const fanRate = flag('fan-rate', 200);
  ensureServersInstalled(['mosquitto']);
  process.stdout.write(`${serverVersion('mosquitto')}; ${seconds} s per phase, ${PAYLOAD_BYTES} B payloads, ${window} PUBLISHes unacknowledged per phase\n`);

  const mosquitto = await startMosquitto();
  const cluster = await startCluster({ brokers: 3, mqtt: true, startTimeoutMs: 60_000, config: { 'mqtt-map': 'bench/+client -> bench, key = client; fan/+room -> fan' } });
  const admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 30_000 });
  try {
    await waitFor(() => admin.createTopic('bench', { partitions: 3, replicationFactor: 3 }).catch(() => null), 30_000, 'topic bench');
    await waitFor(() => admin.createTopic('fan', { partitions: 1, replicationFactor: 3 }).catch(() => null), 30_000, 'topic fan');
    const targets: Target[] = [
      { name: 'Gregor (3 brokers, RF 3)', port: cluster.broker(1).mqttPort, pid: cluster.broker(1).pid },
      { name: `Mosquitto (1 process, no replication)`, port: mosquitto.port, pid: mosquitto.pid },
    ];
    const idle: Array<{ held: number; rssBytes: number; baselineBytes: number }> = [];
    for (const [i, target] of targets.entries()) idle.push(await idleConnections(target, idleLimit, [2, 3, 4, 5].map((n) => `127.0.${i + 1}.${n}`)));
    for (const target of targets) await publishRate(target, 3, window, 2);

    const single: PublishFigures[] = [];
    const many: PublishFigures[] = [];
    const fan: FanOutFigures[] = [];
    for (const target of targets) single.push(await publishRate(target, 1, window, seconds));
    for (const target of targets) many.push(await publishRate(target, connections, window, seconds));
    for (const target of targets) fan.push(await fanOut(target, subscribers, window, 0, seconds));
    const paced: FanOutFigures[] = [];
    for (const target of targets) paced.push(await fanOut(target, subscribers, window, fanRate, seconds));

    const columns = targets.map((t) => t.name);
    const line = (label: string, values: string[], ratio?: number) =>
      process.stdout.write(`${label.padEnd(34)}${values.map((v, i) => v.padStart(columns[i].length + 2)).join('')}${ratio === undefined ? '' : `${ratio.toFixed(2).padStart(8)}x`}\n`);
    process.stdout.write(`\n${''.padEnd(34)}${columns.map((c) => `  ${c}`).join('')}  Gregor/Mosquitto\n`);
    line('QoS 1 msg/s, 1 connection', single.map((f) => f.rate.toFixed(0)), single[0].rate / single[1].rate);
    line('  PUBACK p99 ms', single.map((f) => f.p99Ms.toFixed(1)), single[0].p99Ms / single[1].p99Ms);
    line(`QoS 1 msg/s, ${connections} connections`, many.map((f) => f.rate.toFixed(0)), many[0].rate / many[1].rate);
    line('  PUBACK p99 ms', many.map((f) => f.p99Ms.toFixed(1)), many[0].p99Ms / many[1].p99Ms);
    line(`fan-out deliveries/s, ${subscribers} subs`, fan.map((f) => f.rate.toFixed(0)), fan[0].rate / fan[1].rate);
    line('  publish-to-delivery p99 ms', fan.map((f) => f.p99Ms.toFixed(1)), fan[0].p99Ms / fan[1].p99Ms);
    line('  delivered of published x subs', fan.map((f) => `${f.delivered}/${f.expected}`));
    line(`fan-out at ${fanRate} msg/s: deliveries/s`, paced.map((f) => f.rate.toFixed(0)), paced[0].rate / paced[1].rate);
    line('  publish-to-delivery p99 ms', paced.map((f) => f.p99Ms.toFixed(1)), paced[0].p99Ms / paced[1].p99Ms);
    line('  delivered of published x subs', paced.map((f) => `${f.delivered}/${f.expected}`));
    line('idle connections held in 1 GiB', idle.map((f) => (f.held >= idleLimit ? `>=${f.held}` : String(f.held))));
    line('  resident MiB at the end', idle.map((f) => (f.rssBytes / 2 ** 20).toFixed(0)));
    const perConnection = idle.map((f) => (f.rssBytes - f.baselineBytes) / Math.max(1, f.held));
    line('  KiB per idle connection', perConnection.map((bytes) => (bytes / 1024).toFixed(1)));
    line('  idle connections 1 GiB holds', idle.map((f, i) => ((GIB - f.baselineBytes) / perConnection[i]).toFixed(0)));
  } finally {
    admin.close();
    await cluster.cleanup();
    await mosquitto.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:mqtt failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
