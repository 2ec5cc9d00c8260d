/** Attribute bits of a v2 batch: compression codec in bits 0-2, then timestamp type, transactional, control. */
export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_FLAG = 0x08;
export const TRANSACTIONAL_FLAG = 0x10;
export const CONTROL_FLAG = 0x20;

export function compressionOf(attributes: number): CompressionType {
  return attributes & COMPRESSION_MASK;
}

export function timestampTypeOf(attributes: number): TimestampType {
  return attributes & TIMESTAMP_TYPE_FLAG ? TimestampType.LogAppendTime : TimestampType.CreateTime;
}

export function isTransactionalBatch(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_FLAG) !== 0;
}

export function isControlBatch(attributes: number): boolean {
  return (attributes & CONTROL_FLAG) !== 0;
}

export function buildAttributes(
  compression: CompressionType,
  timestampType: TimestampType,
  transactional: boolean,
  control: boolean,
): number {
  return (
    (compression & COMPRESSION_MASK) |
    (timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_FLAG : 0) |
    (transactional ? TRANSACTIONAL_FLAG : 0) |
    (control ? CONTROL_FLAG : 0)
  );
}
