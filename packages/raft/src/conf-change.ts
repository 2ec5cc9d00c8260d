import { InvalidConfChangeError } from './errors';
import { ConfChange, ConfChangeType, ConfState } from './types';

const TYPES: readonly ConfChangeType[] = ['addVoter', 'addLearner', 'removeNode'];

/** Config entries carry one change as 5 bytes: type, then the node id (uint32 BE). */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = TYPES.indexOf(cc.type);
  new DataView(out.buffer).setUint32(1, cc.nodeId);
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.length !== 5 || data[0] >= TYPES.length) throw new InvalidConfChangeError('malformed config entry');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { type: TYPES[data[0]], nodeId: view.getUint32(1) };
}

/** The configuration after applying cc; rejects changes that would leave no voter. */
export function applyConfChange(cs: ConfState, cc: ConfChange): ConfState {
  const voters = cs.voters.filter((v) => v !== cc.nodeId);
  const learners = cs.learners.filter((v) => v !== cc.nodeId);
  if (cc.type === 'addVoter') voters.push(cc.nodeId);
  else if (cc.type === 'addLearner') learners.push(cc.nodeId);
  if (voters.length === 0) throw new InvalidConfChangeError('a configuration needs at least one voter');
  voters.sort((a, b) => a - b);
  learners.sort((a, b) => a - b);
  return { voters, learners };
}
