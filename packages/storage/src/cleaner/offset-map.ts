import { createHash } from 'node:crypto';

/** What one entry costs, as Kafka sizes its map: a 16-byte key digest and an 8-byte offset. */
export const OFFSET_MAP_ENTRY_BYTES = 24;
/** Keys this short are their own map key: no digest to compute, and no collision possible. */
const DIGEST_FROM_BYTES = 16;

/**
 * The newest offset of each key in the section of the log being cleaned, in bounded memory: it
 * takes at most `maxEntries` keys and refuses new ones after that, so the cleaner stops indexing
 * there and cleans the rest another time. Longer keys are held by their MD5 digest, as in Kafka.
 */
export class OffsetMap {
  private readonly latest = new Map<string, number>();

  constructor(readonly maxEntries: number) {}

  static ofBytes(bytes: number): OffsetMap {
    return new OffsetMap(Math.max(1, Math.floor(bytes / OFFSET_MAP_ENTRY_BYTES)));
  }

  get size(): number {
    return this.latest.size;
  }

  /** Records `offset` as the newest of `key`; false, recording nothing, when the key is new and the map full. */
  put(key: Buffer, offset: number): boolean {
    const id = mapKey(key);
    if (this.latest.size >= this.maxEntries && !this.latest.has(id)) return false;
    this.latest.set(id, offset);
    return true;
  }

  /** The newest offset recorded for `key`, or -1. */
  newestOffset(key: Buffer): number {
    return this.latest.get(mapKey(key)) ?? -1;
  }
}

function mapKey(key: Buffer): string {
  return key.length < DIGEST_FROM_BYTES ? `k${key.toString('latin1')}` : `d${createHash('md5').update(key).digest().toString('latin1')}`;
}
