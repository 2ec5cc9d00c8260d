import { encodeBatch, type BatchOptions } from './batch-encoder';
import { RecordsError } from './errors';

/**
 * Control record types. A control record's key is (version int16, type int16). Kafka uses small values
 * (0 abort, 1 commit, 2-6 for KRaft leader change, snapshot markers and voters), so ours start at 0x4701
 * ('G', then a number): a Kafka tool reading our log sees an unknown type rather than mistaking a leader no-op
 * for a transaction marker.
 */
export const ControlRecordType = {
  Abort: 0,
  Commit: 1,
  LeaderNoop: 0x4701,
  Config: 0x4702,
} as const;

export type ControlRecordKind = 'leader-noop' | 'config';

const CONTROL_KEY_VERSION = 0;
const CONTROL_KEY_SIZE = 4;

function controlKey(type: number): Buffer {
  const key = Buffer.allocUnsafe(CONTROL_KEY_SIZE);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

/** A one-record control batch whose value is the payload; consumers skip control batches. */
export function encodeControlBatch(kind: ControlRecordKind, payload: Buffer | null, options: BatchOptions = {}): Buffer {
  const type = kind === 'leader-noop' ? ControlRecordType.LeaderNoop : ControlRecordType.Config;
  return encodeBatch([{ key: controlKey(type), value: payload }], { ...options, control: true });
}

/** The type field of a control record's key (see ControlRecordType). */
export function readControlRecordType(key: Buffer | null): number {
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new RecordsError('INVALID_RECORD', `a control record key needs ${CONTROL_KEY_SIZE} bytes`);
  }
  return key.readInt16BE(2);
}
