import * as grpc from '@grpc/grpc-js';
import type { ProduceResponse } from '@gregor/proto';
import type { BuiltBatch } from '@gregor/records';
import type { Cluster } from '../cluster/cluster';
import { GregorError } from '../errors';
import type { IdempotenceManager } from './idempotence-manager';
import { InOrderWrites } from './in-order-writes';
import { PartitionSender } from './partition-sender';
import { encodeBatch, type OpenBatch } from './open-batch';
import { ProduceStream } from './produce-stream';

export interface SenderOptions {
  cluster: Cluster;
  idempotence: IdempotenceManager;
  acks: 'all' | 'leader';
  maxInFlightPerPartition: number;
  retries: number;
  /** The partition's batch still being filled, sealed, if it is due to go. */
  takeReady(topic: string, partition: number): OpenBatch | undefined;
  completed(batch: OpenBatch, response: ProduceResponse): void;
  failed(batch: OpenBatch, err: GregorError): void;
}

/**
 * Sends sealed batches to their partitions' leaders: one PartitionSender per partition (order,
 * window, retries, sequence numbers), over one ProduceStream per broker.
 */
export class Sender {
  /** By topic, then partition. */
  private readonly senders = new Map<string, Array<PartitionSender<BuiltBatch, OpenBatch> | undefined>>();
  private readonly streams = new Map<string, ProduceStream>();

  constructor(private readonly options: SenderOptions) {}

  /** Takes the sealed batch at once: a partition's batches are sent in the order handed over. */
  enqueue(batch: OpenBatch): void {
    this.senderFor(batch.topic, batch.partition).enqueue(batch);
  }

  /** Whether a batch of the partition handed over now would be sent at once. */
  hasRoom(topic: string, partition: number): boolean {
    const sender = this.senders.get(topic)?.[partition];
    return !sender || sender.hasRoom;
  }

  close(): void {
    for (const stream of this.streams.values()) stream.close();
  }

  private senderFor(topic: string, partition: number): PartitionSender<BuiltBatch, OpenBatch> {
    let byPartition = this.senders.get(topic);
    if (!byPartition) this.senders.set(topic, (byPartition = []));
    let sender = byPartition[partition];
    if (sender) return sender;
    const { idempotence, cluster } = this.options;
    if (idempotence.known === undefined) throw new GregorError(grpc.status.INTERNAL, 'a batch was sealed before the producer id was known');
    const writes = new InOrderWrites();
    sender = new PartitionSender<BuiltBatch, OpenBatch>({
      identity: idempotence.known,
      maxInFlight: this.options.maxInFlightPerPartition,
      retries: this.options.retries,
      encode: encodeBatch,
      send: (encoded) => this.sendToLeader(writes, topic, partition, encoded),
      takeReady: () => this.options.takeReady(topic, partition),
      completed: this.options.completed,
      failed: this.options.failed,
      newIdentity: () => idempotence.fresh(),
      backoffDelay: (attempt) => cluster.backoffDelay(attempt),
    });
    byPartition[partition] = sender;
    return sender;
  }

  /** One attempt on the partition's current leader; failures teach the cluster metadata where to go next. */
  private async sendToLeader(writes: InOrderWrites, topic: string, partition: number, encoded: BuiltBatch): Promise<ProduceResponse> {
    const cluster = this.options.cluster;
    let address: string | null = null;
    try {
      const written = await writes.write(
        () => cluster.leaderAddress(topic, partition),
        (to) => this.streamTo(to).send(topic, partition, encoded),
      );
      address = written.address;
      const response = await written.answer;
      cluster.noteSuccess(address);
      return response;
    } catch (err) {
      const error = GregorError.from(err);
      cluster.noteError(topic, partition, address, error);
      throw error;
    }
  }

  private streamTo(address: string): ProduceStream {
    let stream = this.streams.get(address);
    if (!stream) {
      const acks = this.options.acks === 'leader' ? 'ACKS_LEADER' : 'ACKS_ALL';
      stream = new ProduceStream(this.options.cluster.connection(address), this.options.cluster.requestTimeoutMs, acks);
      this.streams.set(address, stream);
    }
    return stream;
  }
}
