import * as grpc from '@grpc/grpc-js';
import type { SubscribeRequest, SubscribeResponse } from '@gregor/proto';
import type { Connection } from '../connection';
import { GregorError } from '../errors';

export interface SubscriptionEvents {
  /** Whole batches starting at or before the subscription's offset. */
  onBatches(bytes: Buffer, nextOffset: number, highWatermark: number): void;
  /** The stream ended with an error (never for cancel()). */
  onError(err: GregorError): void;
}

/**
 * One Subscribe stream for one partition from one offset. Pausing stops
 * reading the stream, which makes gRPC flow control stop the broker.
 */
export class PartitionSubscription {
  private readonly call: grpc.ClientReadableStream<SubscribeResponse>;
  private cancelled = false;

  constructor(
    connection: Connection,
    request: SubscribeRequest,
    events: SubscriptionEvents,
  ) {
    this.call = connection.serverStream<SubscribeRequest, SubscribeResponse>('Log', 'Subscribe', request);
    this.call.on('data', (response: SubscribeResponse) => {
      if (!this.cancelled) events.onBatches(response.records, response.nextOffset, response.highWatermark);
    });
    this.call.on('error', (err) => {
      if (!this.cancelled) events.onError(GregorError.from(err));
    });
    this.call.on('end', () => {
      if (!this.cancelled) events.onError(new GregorError(grpc.status.UNAVAILABLE, 'subscription ended by the broker'));
    });
  }

  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  cancel(): void {
    this.cancelled = true;
    this.call.cancel();
  }
}
