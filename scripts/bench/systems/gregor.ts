import { Admin, Cluster, Consumer, Producer } from '@gregor/client';
import { waitFor } from '@gregor/testkit';
import { RecordSender, SystemClient } from './types';

const SETTLE_TIMEOUT_MS = 30_000;
const SETTLE_POLL_MS = 100;

/**
 * Gregor through @gregor/client with its default settings: a Producer that
 * batches per partition (lingerMs 5, batches of up to 1 MiB) over one ProduceStream,
 * and a Consumer on a Subscribe stream, read a pushed chunk at a time with
 * `batches()` as a high-rate reader would (Redis' XREAD hands back batches
 * too). Topics have one partition, like the single JetStream stream and
 * Redis stream key they are compared with. Against a cluster the client
 * bootstraps from every broker and sends to the partition's leader; the
 * producer is idempotent with acks=all (the SDK's defaults).
 */
export class GregorClient implements SystemClient {
  private readonly cluster: Cluster;
  private readonly admin: Admin;

  constructor(
    brokers: string,
    private readonly topicConfigs: Record<string, string> = {},
    private readonly replicationFactor?: number,
  ) {
    this.cluster = new Cluster({ brokers });
    this.admin = new Admin({ cluster: this.cluster });
  }

  /**
   * Creates the topic with as many replicas as asked for, and waits until
   * its partition is led by its preferred replica: brokers hand leadership
   * back to it within a few seconds (--preferred-leader-check-ms), and a
   * measurement should not include that move.
   */
  async createStream(stream: string): Promise<void> {
    await this.createWithAllReplicas(stream);
    const settled = async (): Promise<boolean> => (await this.admin.describeTopic(stream)).partitions.every((p) => p.leader > 0 && p.leader === p.replicas[0]);
    await waitFor(settled, SETTLE_TIMEOUT_MS, `${stream} to be led by its preferred replica`, SETTLE_POLL_MS);
  }

  /**
   * A broker places fewer replicas than asked for, silently, when it sees
   * fewer brokers alive, as a broker whose view of a restarted peer lags
   * does. Such a topic is deleted and created again until it has them all.
   */
  private async createWithAllReplicas(stream: string): Promise<void> {
    const wanted = this.replicationFactor;
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const created = await this.admin.createTopic(stream, { partitions: 1, configs: this.topicConfigs, replicationFactor: wanted });
      const replicas = created.partitions[0]?.replicas.length ?? 0;
      if (wanted === undefined || replicas === wanted) return;
      await this.admin.deleteTopic(stream);
      if (Date.now() >= deadline) throw new Error(`${stream} kept being created with ${replicas} replicas, not ${wanted}, for ${SETTLE_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }

  async deleteStream(stream: string): Promise<void> {
    await this.admin.deleteTopic(stream);
  }

  async sender(stream: string): Promise<RecordSender> {
    const producer = new Producer({ cluster: this.cluster });
    // The first send looks the topic up; do that before the clock starts.
    await producer.send(stream, []);
    return {
      send: (value) => producer.send(stream, { value }),
      close: () => producer.close(),
    };
  }

  async readFromStart(stream: string, count: number): Promise<number> {
    const consumer = new Consumer({ cluster: this.cluster, autoOffsetReset: 'earliest' });
    let bytes = 0;
    let records = 0;
    try {
      await consumer.assignTopic(stream);
      if (count === 0) return 0;
      for await (const batch of consumer.batches()) {
        const take = Math.min(batch.length, count - records);
        for (let i = 0; i < take; i++) bytes += batch[i].value?.length ?? 0;
        records += take;
        if (records === count) break;
      }
    } finally {
      consumer.close();
    }
    return bytes;
  }

  async close(): Promise<void> {
    this.cluster.close();
  }
}
