import type { VersionedReader, VersionedWriter } from '../../versioned';

/** InitProducerId v0-v4 (flexible from 2): v3 lets a producer name the id and epoch it had. */
export function decodeRequest(r: VersionedReader): { transactionalId: string | null } {
  const transactionalId = r.nullableString();
  r.int32();
  if (r.version >= 3) {
    r.int64();
    r.int16();
  }
  r.tags();
  return { transactionalId };
}

export function encodeResponse(w: VersionedWriter, response: { errorCode: number; producerId: number; producerEpoch: number }): void {
  w.int32(0).int16(response.errorCode).int64(response.producerId).int16(response.producerEpoch);
  w.tags();
}
