/**
 * `node ack-before-replication.js start <gregor broker start flags>`: a broker whose partition
 * leaders answer acks=all once their own write is durable, before a majority holds the batch, so
 * the chaos checker can show it catches the acknowledged writes such a broker loses. It is built
 * only into testkit, which is why no production broker can be switched into it.
 */
import { Acks, Broker, ReplicatedPartition } from '@gregor/broker';
import type { AppendResult } from '@gregor/storage';
import { brokerCommand } from '@gregor/cli';

class AckBeforeReplication extends ReplicatedPartition {
  override append(batch: Buffer, _acks: Acks, maxBatchBytes: number): Promise<AppendResult> {
    return super.append(batch, 'leader', maxBatchBytes);
  }
}

brokerCommand((config, logger, wiring) => Broker.start(config, logger, { ...wiring, createReplica: (options) => new AckBeforeReplication(options) }))
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`ack-before-replication: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
