import {
  ControlRecordType,
  decodeBatch,
  encodeControlBatch,
  isControlBatch,
  iterateBatches,
  LOG_OVERHEAD,
  readBatchHeader,
  readControlRecordType,
} from '@gregor/records';
import type { Entry } from '@gregor/raft';
import { BrokerError } from '../errors';
import { indexOfOffset, offsetOfIndex } from './raft-index';

const EMPTY = new Uint8Array(0);

/**
 * The bytes a Raft entry is stored as. A normal entry already is a record batch, stamped with its
 * offsets and term by the leader; leader no-ops and membership changes become control batches,
 * which consumers skip.
 */
export function batchOfEntry(entry: Entry): Buffer {
  const baseOffset = offsetOfIndex(entry.firstIndex);
  if (entry.type === 'normal') {
    const bytes = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
    const header = readBatchHeader(bytes, 0);
    if (header.baseOffset !== baseOffset || header.baseOffset + header.lastOffsetDelta !== offsetOfIndex(entry.lastIndex)) {
      throw new BrokerError('INTERNAL', `entry [${entry.firstIndex}, ${entry.lastIndex}] carries a batch at offset ${header.baseOffset}`);
    }
    return bytes;
  }
  const payload = entry.type === 'config' ? Buffer.from(entry.data) : null;
  // A fixed timestamp keeps every replica's bytes for the same entry identical.
  return encodeControlBatch(entry.type === 'noop' ? 'leader-noop' : 'config', payload, {
    baseOffset,
    partitionLeaderEpoch: entry.term,
    baseTimestamp: 0,
  });
}

/** The entries stored in `bytes` (whole batches laid end to end, as the partition log returns them). */
export function entriesOfBatches(bytes: Buffer): Entry[] {
  const entries: Entry[] = [];
  for (const { position, header } of iterateBatches(bytes)) {
    const firstIndex = indexOfOffset(header.baseOffset);
    const lastIndex = indexOfOffset(header.baseOffset + header.lastOffsetDelta);
    const term = header.partitionLeaderEpoch;
    if (!isControlBatch(header.attributes)) {
      entries.push({ term, firstIndex, lastIndex, type: 'normal', data: bytes.subarray(position, position + LOG_OVERHEAD + header.batchLength) });
      continue;
    }
    const record = decodeBatch(bytes, position).records[0];
    if (record && readControlRecordType(record.key) === ControlRecordType.Config) {
      entries.push({ term, firstIndex, lastIndex, type: 'config', data: record.value ?? EMPTY });
    } else {
      entries.push({ term, firstIndex, lastIndex, type: 'noop', data: EMPTY });
    }
  }
  return entries;
}
