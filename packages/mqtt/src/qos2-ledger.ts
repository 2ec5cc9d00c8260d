import { CompactedTable, type WritableTableOptions } from './compacted-table';

/** The compacted topic of QoS 2 packet ids received and not yet released, keyed by client id and packet id. */
export const QOS2_TOPIC = '_mqtt-qos2';

/** How long a retried PUBLISH waits for the ledger to be read up to date, ms. */
const SYNC_TIMEOUT_MS = 5000;


/** Client ids never hold U+0000 (CONNECT refuses them), so it separates the two parts of a key. */
function keyOf(clientId: string, packetId: number): string {
  return `${clientId}\u0000${packetId}`;
}

/**
 * QoS 2 packet ids the cluster stored a PUBLISH under and has not seen released, so that a client
 * that lost its broker and retries the PUBLISH on another is not stored twice. A mark is written
 * after its record is committed and before PUBREC; a release is written before PUBCOMP, since a
 * mark left behind would swallow the packet id's next publish.
 */
export class Qos2Ledger {
  private readonly table: CompactedTable<true>;

  constructor(private readonly options: WritableTableOptions) {
    this.table = new CompactedTable({
      ...options,
      topic: QOS2_TOPIC,
      decode: (record) => (record.value === null ? null : true),
    });
  }

  start(): Promise<void> {
    return this.table.start();
  }

  /** Whether a PUBLISH under the id is stored and unreleased anywhere, read up to date first. */
  async holds(clientId: string, packetId: number): Promise<boolean> {
    await this.table.sync(SYNC_TIMEOUT_MS);
    return this.table.get(keyOf(clientId, packetId)) === true;
  }

  async mark(clientId: string, packetId: number): Promise<void> {
    await this.options.producer.send(QOS2_TOPIC, { key: keyOf(clientId, packetId), value: '1' });
    this.table.setLocally(keyOf(clientId, packetId), true);
  }

  async release(clientId: string, packetId: number): Promise<void> {
    await this.options.producer.send(QOS2_TOPIC, { key: keyOf(clientId, packetId), value: null });
    this.table.setLocally(keyOf(clientId, packetId), null);
  }

  /** A clean start: every id the client left unreleased goes (those this broker has read of). */
  async forget(clientId: string): Promise<void> {
    const prefix = `${clientId}\u0000`;
    const keys = this.table.keys().filter((key) => key.startsWith(prefix));
    await Promise.all(keys.map((key) => this.options.producer.send(QOS2_TOPIC, { key, value: null })));
    for (const key of keys) this.table.setLocally(key, null);
  }

  close(): Promise<void> {
    return this.table.close();
  }
}
