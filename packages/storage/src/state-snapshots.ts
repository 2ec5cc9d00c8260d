import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '@gregor/records';
import { SNAPSHOT_SUFFIX, parseSegmentFileName, segmentPath } from './segment-files';
import { replaceFile } from './replace-file';

/**
 * `<offset>.snapshot`: a HeaderState as it stood after every batch before `offset`, which is
 * where a segment begins (written as it rolled) or where the log ended at a clean close.
 *
 *   crc uint32 | version int8 | offset int64 | state bytes...
 *
 * The CRC-32C covers everything after itself, so a torn or flipped file reads as absent, and the
 * offset inside must match the name, so a file renamed by hand does too.
 */
const VERSION = 1;
const CRC_BYTES = 4;
const PREFIX_BYTES = CRC_BYTES + 1 + 8;

export function writeStateSnapshot(dir: string, offset: number, state: Buffer): void {
  const bytes = Buffer.allocUnsafe(PREFIX_BYTES + state.length);
  bytes.writeInt8(VERSION, CRC_BYTES);
  bytes.writeBigInt64BE(BigInt(offset), CRC_BYTES + 1);
  state.copy(bytes, PREFIX_BYTES);
  bytes.writeUInt32BE(crc32c(bytes.subarray(CRC_BYTES)), 0);
  // The roll or close that writes it syncs the directory.
  replaceFile(dir, path.basename(segmentPath(dir, offset, SNAPSHOT_SUFFIX)), bytes, 'file');
}

/** The state bytes of the snapshot at `offset`, or null when there is none or it is not intact. */
export function readStateSnapshot(dir: string, offset: number): Buffer | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(segmentPath(dir, offset, SNAPSHOT_SUFFIX));
  } catch {
    return null;
  }
  if (bytes.length < PREFIX_BYTES || bytes.readUInt32BE(0) !== crc32c(bytes.subarray(CRC_BYTES))) return null;
  if (bytes.readInt8(CRC_BYTES) !== VERSION || bytes.readBigInt64BE(CRC_BYTES + 1) !== BigInt(offset)) return null;
  return bytes.subarray(PREFIX_BYTES);
}

export function removeStateSnapshot(dir: string, offset: number): void {
  fs.rmSync(segmentPath(dir, offset, SNAPSHOT_SUFFIX), { force: true });
}

/**
 * Removes snapshots at offsets other than `kept` (where segments begin): left by a crash between
 * writing a roll's snapshot and creating its segment, or by recovery dropping segments. A snapshot
 * then always describes the batches before a live segment, which nothing rewrites without deleting
 * that segment.
 */
export function removeOrphanSnapshots(dir: string, kept: readonly number[]): void {
  const live = new Set(kept);
  for (const name of fs.readdirSync(dir)) {
    const offset = parseSegmentFileName(name, SNAPSHOT_SUFFIX);
    if (offset !== null && !live.has(offset)) removeStateSnapshot(dir, offset);
  }
}
