export type RecordsErrorCode =
  | 'BATCH_TOO_SHORT'
  | 'BATCH_LENGTH_MISMATCH'
  | 'INVALID_MAGIC'
  | 'CORRUPT_BATCH'
  | 'BATCH_TOO_LARGE'
  | 'INVALID_BATCH'
  | 'INVALID_RECORD'
  | 'UNSUPPORTED_COMPRESSION'
  | 'INVALID_ARGUMENT';

/** Every failure of this package; `code` lets the broker map it to a wire status without parsing messages. */
export class RecordsError extends Error {
  readonly code: RecordsErrorCode;

  constructor(code: RecordsErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'RecordsError';
    this.code = code;
  }
}

export function decompressedTooLarge(maxDecompressedBytes: number): RecordsError {
  return new RecordsError('BATCH_TOO_LARGE', `records decompress to more than ${maxDecompressedBytes} bytes`);
}
