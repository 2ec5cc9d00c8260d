export { BlockReserver, Preallocation } from './block-reserver';
export { Clock, systemClock } from './clock';
export { DEFAULT_LOG_CONFIG, FlushPolicy, LogConfig, resolveLogConfig } from './config';
export { StorageError, StorageErrorCode } from './errors';
export { FallocateReserver } from './fallocate-reserver';
export { HeaderState } from './header-state';
export { OpenReport } from './log-loader';
export { replaceFile } from './replace-file';
export { AppendResult, BatchInfo, LastBatch, PartitionLog, ReadResult, RetentionOptions } from './partition-log';
