import type { ProducedBatch } from './producer-state';

export interface ProducerEntry {
  epoch: number;
  batches: ProducedBatch[];
}

/**
 * ProducerStates as bytes, for the log's snapshot files (which add their own CRC):
 *
 *   version int8 | producers uint32 | per producer, by id: producerId int64 | epoch int16 |
 *   batches uint8 | per batch: firstSequence int32 | lastSequence int32 | baseOffset int64 |
 *   lastOffset int64 | term int32
 *
 * Sorted by producer id so equal states encode to equal bytes.
 */
const VERSION = 1;
const PRODUCER_BYTES = 8 + 2 + 1;
const BATCH_BYTES = 4 + 4 + 8 + 8 + 4;

export function encodeProducers(producers: ReadonlyMap<number, ProducerEntry>): Buffer {
  const ids = [...producers.keys()].sort((a, b) => a - b);
  let size = 1 + 4;
  for (const id of ids) size += PRODUCER_BYTES + BATCH_BYTES * (producers.get(id) as ProducerEntry).batches.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.writeInt8(VERSION, 0);
  at = out.writeUInt32BE(ids.length, at);
  for (const id of ids) {
    const { epoch, batches } = producers.get(id) as ProducerEntry;
    at = out.writeBigInt64BE(BigInt(id), at);
    at = out.writeInt16BE(epoch, at);
    at = out.writeUInt8(batches.length, at);
    for (const batch of batches) {
      at = out.writeInt32BE(batch.firstSequence, at);
      at = out.writeInt32BE(batch.lastSequence, at);
      at = out.writeBigInt64BE(BigInt(batch.baseOffset), at);
      at = out.writeBigInt64BE(BigInt(batch.lastOffset), at);
      at = out.writeInt32BE(batch.term, at);
    }
  }
  return out;
}

/** Throws on bytes `encodeProducers` did not write (another version, or cut short). */
export function decodeProducers(bytes: Buffer): Map<number, ProducerEntry> {
  if (bytes.readInt8(0) !== VERSION) throw new Error(`producer snapshot version ${bytes.readInt8(0)} is not ${VERSION}`);
  const producers = new Map<number, ProducerEntry>();
  const count = bytes.readUInt32BE(1);
  let at = 5;
  for (let p = 0; p < count; p++) {
    const id = Number(bytes.readBigInt64BE(at));
    const epoch = bytes.readInt16BE(at + 8);
    const batchCount = bytes.readUInt8(at + 10);
    at += PRODUCER_BYTES;
    const batches: ProducedBatch[] = [];
    for (let b = 0; b < batchCount; b++, at += BATCH_BYTES) {
      batches.push({
        firstSequence: bytes.readInt32BE(at),
        lastSequence: bytes.readInt32BE(at + 4),
        baseOffset: Number(bytes.readBigInt64BE(at + 8)),
        lastOffset: Number(bytes.readBigInt64BE(at + 16)),
        term: bytes.readInt32BE(at + 24),
      });
    }
    producers.set(id, { epoch, batches });
  }
  if (at !== bytes.length) throw new Error(`producer snapshot has ${bytes.length - at} bytes past its end`);
  return producers;
}
