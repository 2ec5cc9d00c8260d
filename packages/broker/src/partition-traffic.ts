import { ATTRIBUTES_POS, BATCH_LENGTH_POS, LOG_OVERHEAD, RECORDS_COUNT_POS, isControlBatch } from '@gregor/records';

/**
 * What a partition's leader took in and handed out, as plain counters the metrics read when
 * scraped: recording is a few additions per batch, never a label lookup per record.
 */
export class PartitionTraffic {
  recordsIn = 0;
  bytesIn = 0;
  recordsOut = 0;
  bytesOut = 0;

  appended(batchBytes: number, records: number): void {
    this.bytesIn += batchBytes;
    this.recordsIn += records;
  }

  /** Whole batches read for a client; control batches (leader no-ops) hold no records of theirs. */
  read(batches: Buffer): void {
    this.bytesOut += batches.length;
    let position = 0;
    while (batches.length - position >= RECORDS_COUNT_POS + 4) {
      const length = batches.readInt32BE(position + BATCH_LENGTH_POS);
      if (length <= 0) return;
      if (!isControlBatch(batches.readInt16BE(position + ATTRIBUTES_POS))) this.recordsOut += batches.readInt32BE(position + RECORDS_COUNT_POS);
      position += LOG_OVERHEAD + length;
    }
  }
}
