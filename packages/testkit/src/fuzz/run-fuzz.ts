import * as grpc from '@grpc/grpc-js';
import * as fc from 'fast-check';
import * as protobuf from 'protobufjs';
import { mulberry32, randomInt } from '../prng';
import { mutate } from './mutate';
import { FuzzPools, encodeMessage, loadProtoRoot, messageArb } from './proto-arbitraries';

/** A port to fuzz and the gRPC services (fully qualified, e.g. gregor.v1.Peer) it serves. */
export interface FuzzTarget {
  address: string;
  services: readonly string[];
  /** Sent as the caller's broker id (gregor-peer-id), as a peer would, so calls get past the member check. */
  peerId?: number;
}

/** Names the caller as broker `id` on every call, as brokers do to each other. */
function asPeer(id: number): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('gregor-peer-id', String(id));
        next(metadata, listener);
      },
    });
}

export interface FuzzOptions {
  targets: readonly FuzzTarget[];
  requests: number;
  seed: number;
  pools: FuzzPools;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Requests per round; `betweenRounds` runs after each (default 1000). */
  roundSize?: number;
  betweenRounds?: (sent: number) => Promise<void>;
}

/** An answer that is not a typed status: the broker failed in a way it did not mean to. */
export interface UntypedAnswer {
  path: string;
  address: string;
  code: string;
  details: string;
  requestHex: string;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  untyped: UntypedAnswer[];
}

/** Statuses that mean the broker did not classify the failure (or lost data). */
const UNTYPED = new Set<number>([grpc.status.UNKNOWN, grpc.status.INTERNAL, grpc.status.DATA_LOSS]);

/** A request that waits (a long poll, a stream at the log's end) answers DEADLINE_EXCEEDED after this. */
const UNARY_DEADLINE_MS = 5000;
const STREAM_DEADLINE_MS = 300;

interface FuzzMethod {
  path: string;
  service: string;
  type: protobuf.Type;
  requestStream: boolean;
  responseStream: boolean;
  arb: fc.Arbitrary<Record<string, unknown>>;
}

function methodsOf(root: protobuf.Root, services: ReadonlySet<string>, pools: FuzzPools): FuzzMethod[] {
  const methods: FuzzMethod[] = [];
  for (const service of services) {
    for (const method of Object.values(root.lookupService(service).methods)) {
      const type = method.resolvedRequestType!;
      methods.push({
        path: `/${service}/${method.name}`,
        service,
        type,
        requestStream: method.requestStream === true,
        responseStream: method.responseStream === true,
        arb: messageArb(type, pools),
      });
    }
  }
  return methods;
}

const raw = (b: Buffer): Buffer => b;

/** One call with `bytes` as the request message; resolves with the status it ended with. */
function call(client: grpc.Client, method: FuzzMethod, bytes: Buffer): Promise<grpc.StatusObject | grpc.ServiceError> {
  return new Promise((resolve) => {
    if (!method.responseStream) {
      const deadline = Date.now() + UNARY_DEADLINE_MS;
      const done = (err: grpc.ServiceError | null): void => resolve(err ?? { code: grpc.status.OK, details: '', metadata: new grpc.Metadata() });
      if (!method.requestStream) client.makeUnaryRequest(method.path, raw, raw, bytes, { deadline }, done);
      else client.makeClientStreamRequest(method.path, raw, raw, { deadline }, done).end(bytes);
      return;
    }
    const deadline = Date.now() + STREAM_DEADLINE_MS;
    const stream = method.requestStream
      ? client.makeBidiStreamRequest(method.path, raw, raw, { deadline })
      : client.makeServerStreamRequest(method.path, raw, raw, bytes, { deadline });
    if (method.requestStream) (stream as grpc.ClientDuplexStream<Buffer, Buffer>).end(bytes);
    // The first answer is enough; the stream would go on as long as the log grows.
    stream.on('data', () => stream.cancel());
    stream.on('error', resolve);
    stream.on('status', resolve);
  });
}

/**
 * Sends `requests` generated requests (fast-check values of each method's request type) and
 * byte-level mutations of them, spread over every method of every target, and reports how each
 * ended. Seeded: the same seed sends the same requests in the same order per worker.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const root = loadProtoRoot();
  const concurrency = options.concurrency ?? 16;
  const roundSize = options.roundSize ?? 1000;
  const random = mulberry32(options.seed);
  const plans = options.targets.map((target) => ({
    target,
    client: new grpc.Client(target.address, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      interceptors: target.peerId === undefined ? [] : [asPeer(target.peerId)],
    }),
    methods: methodsOf(root, new Set(target.services), options.pools),
  }));
  const report: FuzzReport = { sent: 0, byStatus: {}, untyped: [] };
  try {
    for (let round = 0; report.sent < options.requests; round++) {
      const count = Math.min(roundSize, options.requests - report.sent);
      const picks = Array.from({ length: count }, () => {
        const plan = plans[randomInt(random, 0, plans.length - 1)];
        return { plan, method: plan.methods[randomInt(random, 0, plan.methods.length - 1)], mutated: random() < 0.5 };
      });
      const values = new Map<FuzzMethod, Record<string, unknown>[]>();
      for (const pick of picks) values.set(pick.method, []);
      for (const [method, list] of values) {
        const wanted = picks.filter((p) => p.method === method).length;
        list.push(...fc.sample(method.arb, { seed: (options.seed + round * 7919 + list.length) | 0, numRuns: wanted }));
      }
      const requests = picks.map((pick) => {
        const bytes = encodeMessage(pick.method.type, values.get(pick.method)!.pop()!);
        return { ...pick, bytes: pick.mutated ? mutate(bytes, random) : bytes };
      });
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < requests.length) {
          const { plan, method, bytes } = requests[next++];
          const status = await call(plan.client, method, bytes);
          const name = grpc.status[status.code] ?? String(status.code);
          report.byStatus[name] = (report.byStatus[name] ?? 0) + 1;
          if (UNTYPED.has(status.code)) {
            report.untyped.push({ path: method.path, address: plan.target.address, code: name, details: status.details, requestHex: bytes.toString('hex') });
          }
          report.sent++;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      await options.betweenRounds?.(report.sent);
    }
  } finally {
    for (const plan of plans) plan.client.close();
  }
  return report;
}
