import * as grpc from '@grpc/grpc-js';
import { frameProduceRequest, type Acks, type ProduceResponse } from '@gregor/proto';
import type { BuiltBatch } from '@gregor/records';
import type { Connection } from '../connection';
import { GregorError } from '../errors';

interface Pending {
  resolve(response: ProduceResponse): void;
  reject(err: GregorError): void;
  timer: NodeJS.Timeout;
  /** The serialized request's size, to tell which request broke a stream for being too large. */
  bytes: number;
}

/** grpc-js's words when a message exceeds the receiver's grpc.max_receive_message_length. */
const TOO_LARGE = /larger than max \((\d+) vs (\d+)\)/;

/**
 * The broker's message limit when `cause` is the broker refusing a message as too large. The
 * broker ends the whole stream then; only requests above the limit are hopeless.
 */
function requestLimitOf(cause: GregorError | null): number | undefined {
  const match = cause?.status === grpc.status.RESOURCE_EXHAUSTED ? TOO_LARGE.exec(cause.message) : null;
  return match ? Number(match[2]) : undefined;
}

function tooLarge(bytes: number, limit: number): GregorError {
  return new GregorError(
    grpc.status.RESOURCE_EXHAUSTED,
    `produce request of ${bytes} bytes is larger than the broker accepts (${limit} bytes: its --max-request-bytes plus 64 KiB of framing); ` +
      "a record batch must also fit the topic's max.message.bytes",
  );
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
      const request = frameProduceRequest(batch.frame, batch.start, batch.end, { correlationId, topic, partition, acks: this.acks });
      this.pending.set(correlationId, { resolve, reject, timer, bytes: request.length });
      call.write(request);
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
      const limit = requestLimitOf(cause);
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(limit !== undefined && pending.bytes > limit ? tooLarge(pending.bytes, limit) : failure);
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
