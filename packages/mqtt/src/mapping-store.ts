import type { Producer } from '@gregor/client';
import { CompactedTable, type TableOptions } from './compacted-table';
import { formatMapping, parseMapping, plainFilter, type TopicMapping } from './topic-mapping';

/** The compacted topic of the mappings added at run time, keyed by plain MQTT filter. */
export const MAPPINGS_TOPIC = '_mqtt-mappings';

export interface MappingStoreOptions extends TableOptions {
  /** The added mappings, in the order added, after each change. */
  onChange?(added: readonly TopicMapping[]): void;
}

/**
 * The mappings `gregor mqtt map add|remove` manage, shared by every broker of the cluster: one
 * record per filter in a compacted topic (a newer mapping of the same filter replaces the older,
 * a tombstone removes it), which each broker follows.
 */
export class MappingStore {
  private readonly table: CompactedTable<TopicMapping>;

  constructor(options: MappingStoreOptions) {
    this.table = new CompactedTable({
      ...options,
      topic: MAPPINGS_TOPIC,
      decode: (record) => {
        if (record.value === null) return null;
        try {
          return parseMapping(record.value.toString('utf8'));
        } catch (err) {
          options.onError(err);
          return null;
        }
      },
      onChange: () => options.onChange?.(this.table.values()),
    });
  }

  get ready(): Promise<void> {
    return this.table.ready;
  }

  start(): Promise<void> {
    return this.table.start();
  }

  values(): TopicMapping[] {
    return this.table.values();
  }

  /** The added mapping of a plain filter (`chat/+/messages`). */
  get(filter: string): TopicMapping | undefined {
    return this.table.get(filter);
  }

  /** Writes `mapping` for its filter, replacing the filter's earlier one. */
  static async add(producer: Producer, mapping: TopicMapping): Promise<void> {
    await producer.send(MAPPINGS_TOPIC, { key: mapping.filter, value: formatMapping(mapping) });
  }

  /** Writes the tombstone of `filter` (named levels allowed: `chat/+room/messages`). */
  static async remove(producer: Producer, filter: string): Promise<void> {
    await producer.send(MAPPINGS_TOPIC, { key: plainFilter(filter), value: null });
  }

  close(): Promise<void> {
    return this.table.close();
  }
}
