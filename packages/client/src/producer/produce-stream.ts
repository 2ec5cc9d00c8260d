import * as grpc from '@grpc/grpc-js';
import { frameProduceRequest, type Acks, type ProduceResponse } from '@gregor/proto';
import type { BuiltBatch } from '@gregor/records';
import type { Connection } from '../connection';
import { GregorError } from '../errors';

interface Pending {
  resolve(response: ProduceResponse): void;
  reject(err: GregorError): void;
  timer: NodeJS.Timeout;
}

/**
 * A long-lived ProduceStream to one broker: requests carry a correlation id,
 * responses may come back in any order. If the stream breaks, every pending
 * request fails with a retriable UNAVAILABLE and the next send opens a new one.
 * Requests are serialized in place around their batch (frameProduceRequest).
 */
export class ProduceStream {
  private call: grpc.ClientDuplexStream<Buffer, ProduceResponse> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;

  constructor(
    private readonly connection: Connection,
    private readonly requestTimeoutMs: number,
    private readonly acks: Acks,
  ) {}

  /** Sends the batch, whose frame has produceRequestHeadroom bytes free before it. */
  send(topic: string, partition: number, batch: BuiltBatch): Promise<ProduceResponse> {
    const call = this.call ?? this.open();
    const correlationId = this.nextCorrelationId++;
    return new Promise<ProduceResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new GregorError(grpc.status.DEADLINE_EXCEEDED, `produce to ${topic}-${partition} timed out after ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
      call.write(frameProduceRequest(batch.frame, batch.start, batch.end, { correlationId, topic, partition, acks: this.acks }));
    });
  }

  private open(): grpc.ClientDuplexStream<Buffer, ProduceResponse> {
    const call = this.connection.serializedBidiStream<ProduceResponse>('Log', 'ProduceStream');
    call.on('data', (response: ProduceResponse) => {
      const pending = this.pending.get(response.correlationId);
      if (!pending) return;
      this.pending.delete(response.correlationId);
      clearTimeout(pending.timer);
      if (response.error && response.error.code !== grpc.status.OK) pending.reject(GregorError.fromStatus(response.error));
      else pending.resolve(response);
    });
    const broken = (err?: unknown): void => {
      if (this.call === call) this.call = null;
      const cause = err ? GregorError.from(err) : null;
      const failure = new GregorError(grpc.status.UNAVAILABLE, `produce stream closed${cause ? `: ${cause.message}` : ''}`);
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(failure);
        this.pending.delete(id);
      }
    };
    call.on('error', broken);
    call.on('end', () => broken());
    this.call = call;
    return call;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  close(): void {
    this.call?.end();
    this.call = null;
  }
}
