import { GregorError } from '@gregor/client';

export type ResetMode =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'datetime'; time: number }
  | { kind: 'shift'; by: number }
  | { kind: 'offset'; offset: number };

/** The reset-offsets options as commander parses them. */
export interface ResetModeOptions {
  toEarliest?: boolean;
  toLatest?: boolean;
  toDatetime?: number;
  shiftBy?: number;
  toOffset?: number;
}

/** Exactly one mode, as Kafka's tool insists: two would leave the target ambiguous. */
export function resetModeOf(opts: ResetModeOptions): ResetMode {
  const given: Array<[string, ResetMode]> = [];
  if (opts.toEarliest) given.push(['--to-earliest', { kind: 'earliest' }]);
  if (opts.toLatest) given.push(['--to-latest', { kind: 'latest' }]);
  if (opts.toDatetime !== undefined) given.push(['--to-datetime', { kind: 'datetime', time: opts.toDatetime }]);
  if (opts.shiftBy !== undefined) given.push(['--shift-by', { kind: 'shift', by: opts.shiftBy }]);
  if (opts.toOffset !== undefined) given.push(['--to-offset', { kind: 'offset', offset: opts.toOffset }]);
  if (given.length !== 1) {
    const got = given.length === 0 ? 'none' : given.map(([name]) => name).join(' and ');
    throw GregorError.invalid(`exactly one of --to-earliest, --to-latest, --to-datetime, --shift-by, --to-offset is required, got ${got}`);
  }
  return given[0][1];
}

/** What a partition's new offset depends on. */
export interface PartitionState {
  topic: string;
  partition: number;
  /** The group's committed offset, null when it has none. */
  current: number | null;
  logStart: number;
  end: number;
  /** --to-datetime: the first offset at or after the time, -1 when every record is older. */
  atTime?: number;
}

/** The offset `mode` asks for, clamped to [log start, end] as Kafka does. */
export function newOffset(mode: ResetMode, p: PartitionState): number {
  const clamp = (offset: number): number => Math.min(p.end, Math.max(p.logStart, offset));
  switch (mode.kind) {
    case 'earliest':
      return p.logStart;
    case 'latest':
      return p.end;
    case 'datetime':
      return p.atTime === undefined || p.atTime < 0 ? p.end : clamp(p.atTime);
    case 'offset':
      return clamp(mode.offset);
    case 'shift':
      if (p.current === null) throw GregorError.invalid(`cannot shift ${p.topic}-${p.partition}: the group has committed no offset for it`);
      return clamp(p.current + mode.by);
  }
}
