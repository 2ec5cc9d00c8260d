export * from './types';
export * from './errors';
export { RaftConfig, UnsafeBugs } from './config';
export { LogStorage, MemoryStorage, entrySize } from './log-storage';
export { firstAfter } from './entry-search';
export { encodeConfChange, decodeConfChange, applyConfChange } from './conf-change';
export { RaftNode, NodeStatus } from './node';
export { Raft } from './raft';
export { ProgressState } from './progress';
