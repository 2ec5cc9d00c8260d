import { BrokerCodedError } from '../../broker-coded-error';

/** Bytes of a batch before its length field's count starts: baseOffset (8) and batchLength (4). */
const LOG_OVERHEAD = 12;

/**
 * The record batches of one partition's records field, each as its own buffer (clients may send
 * several). A field that does not split into whole batches is CORRUPT_BATCH; the broker checks
 * each batch's header and CRC as it appends it.
 */
export function splitBatches(records: Buffer | null): Buffer[] {
  if (records === null || records.length === 0) throw new BrokerCodedError('INVALID_BATCH', 'a produce request names a partition with no records');
  const batches: Buffer[] = [];
  for (let at = 0; at < records.length;) {
    if (records.length - at < LOG_OVERHEAD) throw new BrokerCodedError('CORRUPT_BATCH', `${records.length - at} bytes after the last whole batch`);
    const size = LOG_OVERHEAD + records.readInt32BE(at + 8);
    if (size <= LOG_OVERHEAD || at + size > records.length) throw new BrokerCodedError('CORRUPT_BATCH', `a batch of ${size} bytes at byte ${at} of ${records.length}`);
    batches.push(records.subarray(at, at + size));
    at += size;
  }
  return batches;
}
