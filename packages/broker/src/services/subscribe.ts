import * as grpc from '@grpc/grpc-js';
import { frameSubscribeResponse, SUBSCRIBE_RESPONSE_HEADROOM, type SubscribeRequest, type SubscribeResponse } from '@gregor/proto';
import type { BrokerContext } from '../context';
import { callSignal, maxBytesOf } from './handlers';

/**
 * Bytes handed to a stream but not yet flushed to its transport. The
 * subscription stops reading the log while this is above the limit or the
 * stream's own buffer is full (write() returned false).
 */
class InFlight {
  bytes = 0;
  private wake: (() => void) | null = null;

  sent(size: number): () => void {
    this.bytes += size;
    return () => {
      this.bytes -= size;
      this.wake?.();
    };
  }

  waitBelow(limit: number, call: grpc.ServerWritableStream<unknown, unknown>, signal: AbortSignal, streamFull: boolean): Promise<void> {
    if (this.bytes <= limit && !streamFull) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        if (this.bytes > limit && !signal.aborted) return;
        this.wake = null;
        call.off('drain', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      call.on('drain', done);
      signal.addEventListener('abort', done);
    });
  }
}

export async function subscribe(
  ctx: BrokerContext,
  call: grpc.ServerWritableStream<SubscribeRequest, SubscribeResponse | Buffer>,
): Promise<void> {
  const signal = callSignal(ctx, call);
  const request = call.request;
  const replica = ctx.topics.partition(request.topic, request.partition);
  const maxBytes = maxBytesOf(ctx, request.maxBytes);
  const inFlight = new InFlight();
  let offset = request.offset;
  replica.checkOffset(offset);
  while (!signal.aborted) {
    if (offset >= replica.highWatermark) {
      await replica.waitForData(offset, null, signal);
      continue;
    }
    const read = await replica.read(offset, maxBytes, SUBSCRIBE_RESPONSE_HEADROOM);
    if (read.nextOffset <= offset) {
      await replica.waitForData(replica.highWatermark, null, signal);
      continue;
    }
    offset = read.nextOffset;
    replica.traffic.read(read.bytes);
    // Serialized in front of the records where the read left them: the chunk is not copied to be sent.
    const room = call.write(frameSubscribeResponse(read.bytes, replica.highWatermark, offset), inFlight.sent(read.bytes.length));
    await inFlight.waitBelow(ctx.config.subscribeMaxInFlightBytes, call, signal, !room);
  }
  if (!call.writableEnded) call.end();
}
