import { MqttError, ReasonCode } from './errors';
import { topicMatches, validateTopicFilter } from './topic-filter';

/** One MQTT topic filter mapped to a log topic; `keyLevel` is the index of the level that keys records. */
export interface TopicMapping {
  /** As written, with named levels (`chat/+room/messages`). */
  readonly spec: string;
  /** The MQTT filter (`chat/+/messages`). */
  readonly filter: string;
  readonly logTopic: string;
  readonly keyName: string | null;
  readonly keyLevel: number | null;
}

export interface ResolvedTopic {
  mapping: TopicMapping;
  key: string | null;
}

const LOG_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

function invalid(text: string, why: string): never {
  throw new MqttError('INVALID_MAPPING', `MQTT mapping ${JSON.stringify(text)}: ${why}`);
}

/** `chat/+room/messages -> chat-messages, key = room`: the key option names a `+name` level. */
export function parseMapping(text: string): TopicMapping {
  const arrow = text.indexOf('->');
  if (arrow < 0) invalid(text, 'expected "filter -> topic[, key = level]"');
  const spec = text.slice(0, arrow).trim();
  const [target = '', ...options] = text.slice(arrow + 2).split(',').map((s) => s.trim());
  if (!LOG_TOPIC.test(target)) invalid(text, `log topic ${JSON.stringify(target)} must be 1-249 of A-Z a-z 0-9 . _ -`);
  if (target.startsWith('__')) invalid(text, `log topic ${JSON.stringify(target)} is internal`);
  const levels = spec.split('/');
  const names = levels.map((level) => (level.startsWith('+') && level.length > 1 ? level.slice(1) : null));
  let filter = '';
  try {
    filter = plainFilter(spec);
  } catch (err) {
    invalid(text, (err as Error).message);
  }
  let keyName: string | null = null;
  for (const option of options) {
    const match = /^key\s*=\s*(\S+)$/.exec(option);
    if (!match) invalid(text, `unknown option ${JSON.stringify(option)} (only "key = level")`);
    keyName = match[1] ?? null;
  }
  const keyLevel = keyName === null ? null : names.indexOf(keyName);
  if (keyLevel === -1) invalid(text, `key ${JSON.stringify(keyName)} names no "+${keyName}" level of the filter`);
  return { spec, filter, logTopic: target, keyName, keyLevel };
}

/** Mappings separated by ";" (the broker's --mqtt-map setting). */
export function parseMappings(text: string): TopicMapping[] {
  return text.split(';').map((s) => s.trim()).filter((s) => s !== '').map(parseMapping);
}

/**
 * The broker's mappings: those configured (--mqtt-map) in the order given, then those added at
 * run time (`gregor mqtt map add`) in the order added. A topic goes where the first matching
 * filter sends it.
 */
export class TopicMappings {
  private current: readonly TopicMapping[];

  constructor(private readonly configured: readonly TopicMapping[]) {
    this.current = configured;
  }

  get all(): readonly TopicMapping[] {
    return this.current;
  }

  /** Replaces the mappings added at run time. */
  setAdded(added: readonly TopicMapping[]): void {
    this.current = [...this.configured, ...added];
  }

  resolve(topic: string): ResolvedTopic {
    const mapping = this.current.find((m) => topicMatches(m.filter, topic));
    if (!mapping) throw new MqttError('UNMAPPED_TOPIC', `MQTT topic ${JSON.stringify(topic)} matches no mapping to a log topic`, ReasonCode.TOPIC_NAME_INVALID);
    const key = mapping.keyLevel === null ? null : (topic.split('/')[mapping.keyLevel] ?? null);
    return { mapping, key };
  }
}

/** The MQTT filter a filter with named levels stands for: `chat/+room/messages` is `chat/+/messages`. */
export function plainFilter(spec: string): string {
  const filter = spec
    .trim()
    .split('/')
    .map((level) => (level.startsWith('+') ? '+' : level))
    .join('/');
  validateTopicFilter(filter);
  return filter;
}

/** A mapping written back in the form parseMapping reads. */
export function formatMapping(mapping: TopicMapping): string {
  return `${mapping.spec} -> ${mapping.logTopic}${mapping.keyName === null ? '' : `, key = ${mapping.keyName}`}`;
}

/**
 * The MQTT topic of a record that came in without one (produced over gRPC or Kafka): the mapping's
 * filter with its key in the key level, when that is its only wildcard; else null (not deliverable).
 */
export function topicFromKey(mapping: TopicMapping, key: string | null): string | null {
  if (key === null || mapping.keyLevel === null || key === '' || key.includes('/') || key.includes('+') || key.includes('#')) return null;
  const levels = mapping.filter.split('/');
  if (levels.some((level, i) => i !== mapping.keyLevel && (level === '+' || level === '#'))) return null;
  levels[mapping.keyLevel] = key;
  return levels.join('/');
}
