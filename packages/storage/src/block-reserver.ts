/**
 * Reserves disk blocks for a file without writing them and without changing the file's size
 * (fallocate(2) with FALLOC_FL_KEEP_SIZE). Resolves false, never rejects, when the blocks could
 * not be reserved: a reservation only makes later writes faster, so failing one loses nothing.
 */
export interface BlockReserver {
  reserve(path: string, offset: number, length: number): Promise<boolean>;
}

export interface Preallocation {
  reserver: BlockReserver;
  /** Most bytes kept reserved past the end of a log's active segment. */
  maxAheadBytes: number;
}
