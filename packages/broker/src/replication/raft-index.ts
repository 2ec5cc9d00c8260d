/**
 * Raft reserves index 0 for the empty log while Kafka offsets start at 0, so a partition's Raft
 * index is its offset plus one. Both sides stay contiguous and batch-aligned; the conversion
 * lives only here and in the storage adapter.
 */
export function indexOfOffset(offset: number): number {
  return offset + 1;
}

export function offsetOfIndex(index: number): number {
  return index - 1;
}
