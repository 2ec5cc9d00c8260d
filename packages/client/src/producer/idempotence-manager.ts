import type { InitProducerIdResponse } from '@gregor/proto';
import type { Cluster } from '../cluster/cluster';
import { GregorError } from '../errors';
import type { ProducerIdentity } from './partition-sender';

/**
 * The producer id batches are stamped with. Asked for once, by the first send, and shared by
 * every partition; a partition that gives a batch up takes a fresh one (fresh()) to restart its
 * sequence at 0, since the hole the batch left would block it under the old one.
 */
export class IdempotenceManager {
  private identity: Promise<ProducerIdentity | null> | null = null;
  /** The producer id once InitProducerId answered (null: none, batches go without); undefined until then. */
  private knownIdentity: ProducerIdentity | null | undefined;

  constructor(
    private readonly cluster: Cluster,
    readonly wanted: boolean,
  ) {
    this.knownIdentity = wanted ? undefined : null;
  }

  /** The identity if settled: null when idempotence is off or the broker does not offer InitProducerId. */
  get known(): ProducerIdentity | null | undefined {
    return this.knownIdentity;
  }

  /** The producer id, asked for once; a failed attempt is retried by the next call. */
  producerIdentity(): Promise<ProducerIdentity | null> {
    if (!this.identity) {
      const asking = this.fresh().then(
        (identity) => (this.knownIdentity = identity),
        (err: unknown) => {
          const error = GregorError.from(err);
          if (error.code === 'UNIMPLEMENTED') return (this.knownIdentity = null);
          if (this.identity === asking) this.identity = null;
          throw error;
        },
      );
      this.identity = asking;
    }
    return this.identity;
  }

  /** A new producer id from the cluster. */
  async fresh(): Promise<ProducerIdentity> {
    const response = await this.cluster.callAny<InitProducerIdResponse>('Log', 'InitProducerId', {});
    return { producerId: response.producerId, producerEpoch: response.producerEpoch };
  }
}
