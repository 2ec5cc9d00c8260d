import { readBatchHeader, type BatchHeader } from './batch-header';
import { BATCH_HEADER_SIZE, BATCH_LENGTH_POS, LOG_OVERHEAD } from './batch-layout';
import { RecordsError } from './errors';

/**
 * Walks batches laid end to end (a fetch response, a segment read) by their length fields, stopping at a partial
 * trailing batch. Headers are parsed but not checked: decodeBatch or validateBatch checks each batch's CRC.
 * A length field shorter than a header cannot be walked past and throws BATCH_TOO_SHORT.
 */
export function* iterateBatches(buf: Buffer): Generator<{ position: number; header: BatchHeader }> {
  let position = 0;
  while (buf.length - position >= LOG_OVERHEAD) {
    const size = LOG_OVERHEAD + buf.readInt32BE(position + BATCH_LENGTH_POS);
    if (size < BATCH_HEADER_SIZE) {
      throw new RecordsError('BATCH_TOO_SHORT', `batch at ${position} claims ${size} bytes, less than a header`);
    }
    if (size > buf.length - position) return;
    yield { position, header: readBatchHeader(buf, position) };
    position += size;
  }
}
