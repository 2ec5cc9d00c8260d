export type StorageErrorCode =
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_LOG'
  | 'RECORD_TOO_LARGE'
  | 'INVALID_BATCH'
  | 'NON_CONTIGUOUS'
  | 'LOG_CLOSED'
  | 'INVALID_CONFIG'
  | 'IO_ERROR';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}
