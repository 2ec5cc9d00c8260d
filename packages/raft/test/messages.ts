import { Entry, Message, MessageType, NodeId } from '../src';

/** A message with the fields a test cares about; the rest default to zero. */
export function msg(type: MessageType, from: NodeId, to: NodeId, term: number, fields: Partial<Message> = {}): Message {
  return { type, from, to, term, index: 0, logTerm: 0, commit: 0, ...fields };
}

/** An entry covering [first, last] in `term`. */
export function ent(first: number, last: number, term: number, text = ''): Entry {
  return { firstIndex: first, lastIndex: last, term, type: 'normal', data: new TextEncoder().encode(text) };
}
