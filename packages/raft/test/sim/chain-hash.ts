import { Entry } from '../../src';

/** Hash of the whole log (or applied state) at the log's start: the genesis snapshot. */
export const GENESIS_HASH = 0x1234567;

const TYPE_CODE = { normal: 1, noop: 2, config: 3 } as const;

/**
 * The hash of a log prefix extended by one entry. Equal hashes at equal
 * (lastIndex, term) mean equal prefixes, so one comparison checks log matching,
 * and the state machine (a running hash of applied entries) is comparable to it.
 */
export function chainHash(prev: number, e: Entry): number {
  let h = Math.imul(prev ^ e.lastIndex, 0x9e3779b1);
  h = Math.imul(h ^ e.term ^ (e.firstIndex << 7) ^ TYPE_CODE[e.type], 0x85ebca6b);
  const d = e.data;
  for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
  return (h ^ (h >>> 13)) >>> 0;
}

export function hashToBytes(h: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, h);
  return out;
}

export function bytesToHash(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);
}
