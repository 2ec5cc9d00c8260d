import { CompressionType } from './attributes';
import { RecordsError } from './errors';

/** Kafka's compression.type names, indexed by codec id. */
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

export function compressionTypeNamed(name: string): CompressionType {
  const type = COMPRESSION_NAMES.indexOf(name as CompressionName);
  if (type < 0) {
    throw new RecordsError('INVALID_ARGUMENT', `compression must be one of ${COMPRESSION_NAMES.join(', ')}, got ${name}`);
  }
  return type;
}
