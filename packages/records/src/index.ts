export {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  MAGIC_V2,
  BASE_OFFSET_POS,
  BATCH_LENGTH_POS,
  PARTITION_LEADER_EPOCH_POS,
  MAGIC_POS,
  CRC_POS,
  ATTRIBUTES_POS,
  LAST_OFFSET_DELTA_POS,
  BASE_TIMESTAMP_POS,
  MAX_TIMESTAMP_POS,
  PRODUCER_ID_POS,
  PRODUCER_EPOCH_POS,
  BASE_SEQUENCE_POS,
  RECORDS_COUNT_POS,
} from './batch-layout';
export {
  type BatchHeader,
  readBatchHeader,
  batchSize,
  validateBatch,
  validateSingleBatch,
  setBaseOffset,
  setPartitionLeaderEpoch,
  setLogAppendTime,
} from './batch-header';
export { crc32c } from './crc';
export { RecordsError, type RecordsErrorCode } from './errors';
export type { RecordHeader, Record, DecodedRecord } from './record-types';
export { CompressionType, TimestampType, isControlBatch } from './attributes';
export { type BatchOptions, encodeBatch } from './batch-encoder';
export { BatchBuilder, type BuiltBatch, type BuiltBatchOptions } from './batch-builder';
export { iterateBatches } from './batch-iterator';
export { type FilteredRecord, canJoinEmpty, emptyBatch, filterBatch, visitRecords } from './batch-filter';
export { type CompressionCodec, registerCompressionCodec } from './compression';
export { COMPRESSION_NAMES, type CompressionName, compressionTypeNamed } from './compression-names';
export { type DecodedBatch, decodeBatch } from './batch-decoder';
export {
  type ControlRecordKind,
  ControlRecordType,
  encodeControlBatch,
  readControlRecordType,
} from './control';
export { murmur2, partitionForKey } from './murmur2';
