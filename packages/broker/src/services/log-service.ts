import * as grpc from '@grpc/grpc-js';
import type {
  FetchRequest,
  FetchResponse,
  InitProducerIdResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  PartitionOffset,
  ProduceRequest,
  ProduceResponse,
  SubscribeRequest,
  SubscribeResponse,
} from '@gregor/proto';
import { services } from '@gregor/proto';
import { offsetFor } from '../broker-surface';
import type { BrokerContext } from '../context';
import type { OffsetQuery } from '../front-end';
import { BrokerError, toStatus } from '../errors';
import { callSignal, logFailure, maxBytesOf, statusError, unary } from './handlers';
import { produce } from './produce';
import { subscribe } from './subscribe';

/** Unanswered ProduceStream requests above which the broker stops reading the stream. */
const MAX_PENDING_STREAM_REQUESTS = 256;

async function fetch(ctx: BrokerContext, request: FetchRequest, signal: AbortSignal): Promise<FetchResponse> {
  const replica = ctx.topics.partition(request.topic, request.partition);
  const maxBytes = maxBytesOf(ctx, request.maxBytes);
  const minBytes = Math.max(1, request.minBytes ?? 0);
  const deadline = Date.now() + Math.max(0, Math.min(request.maxWaitMs ?? 0, ctx.config.fetchMaxWaitMs));
  for (;;) {
    const knownHighWatermark = replica.highWatermark;
    const read = await replica.read(request.offset, maxBytes);
    const remaining = deadline - Date.now();
    if (read.bytes.length >= minBytes || remaining <= 0 || signal.aborted) {
      replica.traffic.read(read.bytes);
      return {
        records: read.bytes,
        highWatermark: replica.highWatermark,
        logStartOffset: replica.logStartOffset,
        nextOffset: read.nextOffset,
      };
    }
    await replica.waitForData(knownHighWatermark, remaining, signal);
  }
}

function queryOf(request: ListOffsetsRequest): OffsetQuery {
  switch (request.spec) {
    case 'EARLIEST':
      return 'earliest';
    case 'LATEST':
      return 'latest';
    case 'TIMESTAMP':
      return { timestamp: request.timestamp ?? 0 };
    default:
      throw new BrokerError('INVALID_REQUEST', 'list offsets needs spec EARLIEST, LATEST or TIMESTAMP');
  }
}

async function listOffsets(ctx: BrokerContext, request: ListOffsetsRequest): Promise<ListOffsetsResponse> {
  const topic = ctx.topics.get(request.topic);
  const wanted = request.partitions?.length ? request.partitions : topic.record.assignments.map((_, p) => p);
  const partitions: PartitionOffset[] = [];
  for (const p of wanted) {
    const replica = ctx.topics.partition(request.topic, p);
    const offset = await offsetFor(replica, queryOf(request));
    partitions.push({ partition: p, offset, logStartOffset: replica.logStartOffset, highWatermark: replica.highWatermark });
  }
  return { topic: request.topic, partitions };
}

function produceStream(ctx: BrokerContext): grpc.handleBidiStreamingCall<ProduceRequest, ProduceResponse> {
  return (call) => {
    let pending = 0;
    let inputEnded = false;
    const finishIfDone = (): void => {
      if ((inputEnded || ctx.shutdownSignal.aborted) && pending === 0 && !call.writableEnded) call.end();
    };
    const onShutdown = (): void => finishIfDone();
    ctx.shutdownSignal.addEventListener('abort', onShutdown);
    call.on('data', (request: ProduceRequest) => {
      pending++;
      if (pending >= MAX_PENDING_STREAM_REQUESTS) call.pause();
      const done = ctx.metrics.startRequest('ProduceStream');
      produce(ctx, request).then(
        (response) => {
          done();
          return response;
        },
        (err: unknown): ProduceResponse => {
          done(err);
          logFailure(ctx, 'ProduceStream', err);
          const status = toStatus(err);
          return {
            correlationId: request.correlationId ?? 0, topic: request.topic, partition: request.partition,
            baseOffset: -1, lastOffset: -1, logAppendTime: -1,
            error: { code: status.code, message: status.details, reason: status.reason ?? '', leaderId: status.leaderId ?? 0, leaderAddress: status.leaderAddress ?? '' },
          };
        },
      ).then((response) => {
        pending--;
        if (!call.writableEnded && !call.cancelled) call.write(response);
        if (pending < MAX_PENDING_STREAM_REQUESTS / 2 && call.isPaused()) call.resume();
        finishIfDone();
      });
    });
    call.on('end', () => {
      inputEnded = true;
      finishIfDone();
    });
    call.on('close', () => ctx.shutdownSignal.removeEventListener('abort', onShutdown));
    call.on('error', (err) => ctx.logger.debug('rpc.stream_error', { method: 'ProduceStream', error: String(err) }));
  };
}

/**
 * The Log service as the broker serves it: a Subscribe response may be written to the call already
 * serialized (a Buffer from frameSubscribeResponse), and is then sent as it is.
 */
export function logServiceDefinition(): grpc.ServiceDefinition {
  const definition = services.Log.service;
  const subscribe = definition.Subscribe;
  const responseSerialize = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : subscribe.responseSerialize(value));
  return { ...definition, Subscribe: { ...subscribe, responseSerialize } };
}

export function logService(ctx: BrokerContext): grpc.UntypedServiceImplementation {
  return {
    Produce: unary<ProduceRequest, ProduceResponse>(ctx, 'Produce', (request) => produce(ctx, request)),
    ProduceStream: produceStream(ctx),
    Fetch: unary<FetchRequest, FetchResponse>(ctx, 'Fetch', (request, call) => fetch(ctx, request, callSignal(ctx, call))),
    Subscribe: (call: grpc.ServerWritableStream<SubscribeRequest, SubscribeResponse | Buffer>) => {
      const ended = ctx.metrics.streamOpened('Subscribe');
      subscribe(ctx, call)
        .catch((err: unknown) => {
          logFailure(ctx, 'Subscribe', err);
          if (!call.writableEnded) call.emit('error', statusError(err));
        })
        .finally(ended);
    },
    ListOffsets: unary<ListOffsetsRequest, ListOffsetsResponse>(ctx, 'ListOffsets', (request) => listOffsets(ctx, request)),
    InitProducerId: unary<object, InitProducerIdResponse>(ctx, 'InitProducerId', async () => ({
      producerId: (await ctx.cluster.propose({ type: 'allocateProducerIds', count: 1 })) as number,
      producerEpoch: 0,
    })),
  };
}
