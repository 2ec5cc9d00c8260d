import * as grpc from '@grpc/grpc-js';
import type { Message } from '@gregor/raft';
import type { PeerClients } from '../cluster/peer-clients';
import type { Logger } from '../logger';
import { PeerBatch, SNAPSHOT, WireRaftMessage, fromWire, toWire, wireSize } from './peer-messages';
import type { RaftTransport } from './raft-transport';

export interface PeerTransportOptions {
  brokerId: number;
  /** gRPC clients of the other brokers. */
  clients: PeerClients;
  /** Steps a message that arrived from a peer into its group. */
  deliver(group: string, message: Message): void;
  /**
   * Hears what became of a snapshot this broker sent: `sent` false when it was dropped here (no
   * stream, or one backed up), true once written to the peer's stream.
   */
  reportSnapshot(group: string, to: number, sent: boolean): void;
  logger: Logger;
  /** Largest PeerBatch sent; must stay under the receiver's gRPC message limit. */
  maxBatchBytes?: number;
  /** Bytes queued on a stream to a slow or paused peer beyond which new messages are dropped. */
  maxBufferedBytes?: number;
}

const RECONNECT_DELAY_MS = 200;

/**
 * Raft traffic between brokers: one client stream to each peer, fed by per-peer outboxes that
 * are flushed once per event-loop turn, so every group's messages to that peer travel in one
 * PeerBatch. Raft tolerates loss, so a broken or backed-up stream drops messages rather than
 * queueing without bound. A leader waits on every snapshot it sends, though, until told what
 * became of it: dropped ones are reported so it sends again, and written ones so that it probes
 * the follower (which answers for an install the network lost with a rejection, and another
 * snapshot follows) instead of waiting forever on an answer that may itself be lost.
 */
export class PeerTransport implements RaftTransport {
  private readonly outboxes = new Map<number, WireRaftMessage[]>();
  private readonly streams = new Map<number, grpc.ClientWritableStream<PeerBatch>>();
  private readonly retryAfter = new Map<number, number>();
  private flushScheduled = false;
  private closed = false;
  /** Streams peers hold open to us: a client stream never ends on its own, so shutdown answers them. */
  private readonly inbound = new Map<grpc.ServerReadableStream<PeerBatch, object>, grpc.sendUnaryData<object>>();
  private readonly maxBatchBytes: number;
  private readonly maxBufferedBytes: number;

  constructor(private readonly options: PeerTransportOptions) {
    this.maxBatchBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  }

  send(group: string, messages: readonly Message[]): void {
    if (this.closed) return;
    for (const m of messages) {
      let outbox = this.outboxes.get(m.to);
      if (!outbox) this.outboxes.set(m.to, (outbox = []));
      outbox.push(toWire(group, m));
    }
    if (!this.flushScheduled && messages.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** The server side of Peer.Stream: steps every message of every batch into its group. */
  readonly handleStream = (call: grpc.ServerReadableStream<PeerBatch, object>, callback: grpc.sendUnaryData<object>): void => {
    this.inbound.set(call, callback);
    const finish = (): void => {
      if (this.inbound.delete(call)) callback(null, {});
    };
    call.on('data', (batch: PeerBatch) => {
      for (const wire of batch.messages ?? []) {
        const message = fromWire(wire);
        if (message && message.to === this.options.brokerId) this.options.deliver(wire.group, message);
      }
    });
    call.on('end', finish);
    call.on('error', () => this.inbound.delete(call));
    call.on('cancelled', () => this.inbound.delete(call));
  };

  /** Ends every stream peers hold open to this broker, so a graceful stop need not wait them out. */
  endInbound(): void {
    for (const [call, callback] of this.inbound) {
      this.inbound.delete(call);
      callback(null, {});
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const [peer, outbox] of this.outboxes) {
      if (outbox.length === 0) continue;
      this.outboxes.set(peer, []);
      const stream = this.streamTo(peer);
      if (!stream || stream.writableLength > this.maxBufferedBytes) {
        this.reportSnapshots(outbox, false);
        continue;
      }
      let batch: WireRaftMessage[] = [];
      let bytes = 0;
      for (const message of outbox) {
        const size = wireSize(message);
        if (batch.length > 0 && bytes + size > this.maxBatchBytes) {
          stream.write({ fromBroker: this.options.brokerId, messages: batch });
          batch = [];
          bytes = 0;
        }
        batch.push(message);
        bytes += size;
      }
      stream.write({ fromBroker: this.options.brokerId, messages: batch });
      this.reportSnapshots(outbox, true);
    }
  }

  private reportSnapshots(messages: readonly WireRaftMessage[], sent: boolean): void {
    for (const m of messages) if (m.type === SNAPSHOT) this.options.reportSnapshot(m.group, m.to, sent);
  }

  private streamTo(peer: number): grpc.ClientWritableStream<PeerBatch> | null {
    const existing = this.streams.get(peer);
    if (existing) return existing;
    if ((this.retryAfter.get(peer) ?? 0) > Date.now()) return null;
    const client = peer === this.options.brokerId ? null : this.options.clients.get(peer);
    if (!client) return null;
    const stream = (client as unknown as { stream(cb: (err: grpc.ServiceError | null) => void): grpc.ClientWritableStream<PeerBatch> }).stream(
      () => this.dropStream(peer, stream),
    );
    stream.on('error', () => this.dropStream(peer, stream));
    this.streams.set(peer, stream);
    return stream;
  }

  private dropStream(peer: number, stream: grpc.ClientWritableStream<PeerBatch>): void {
    if (this.streams.get(peer) !== stream) return;
    this.streams.delete(peer);
    this.retryAfter.set(peer, Date.now() + RECONNECT_DELAY_MS);
    this.options.logger.debug('peer stream closed', { peer });
  }

  close(): void {
    this.closed = true;
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
  }
}
