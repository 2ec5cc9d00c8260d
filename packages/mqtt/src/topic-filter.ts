import { MqttError, ReasonCode } from './errors';

/** MQTT topics are at most 65535 bytes of UTF-8 (the length prefix is 16 bits). */
const MAX_TOPIC_BYTES = 65535;

function checkText(kind: 'topic name' | 'topic filter', text: string): void {
  const code = kind === 'topic name' ? 'INVALID_TOPIC_NAME' : 'INVALID_TOPIC_FILTER';
  const reason = kind === 'topic name' ? ReasonCode.TOPIC_NAME_INVALID : ReasonCode.TOPIC_FILTER_INVALID;
  if (text.length === 0) throw new MqttError(code, `a ${kind} may not be empty`, reason);
  if (Buffer.byteLength(text) > MAX_TOPIC_BYTES) throw new MqttError(code, `a ${kind} may not exceed ${MAX_TOPIC_BYTES} bytes`, reason);
  // U+0000 is forbidden in every MQTT string; U+FFFD stands where the decoder met invalid UTF-8.
  if (text.includes('\u0000') || text.includes('\uFFFD')) throw new MqttError(code, `${kind} ${JSON.stringify(text)} is not valid UTF-8 without U+0000`, reason);
}

/** A topic a PUBLISH names: no wildcards. */
export function validateTopicName(topic: string): void {
  checkText('topic name', topic);
  if (topic.includes('+') || topic.includes('#')) {
    throw new MqttError('INVALID_TOPIC_NAME', `topic name ${JSON.stringify(topic)} may not hold the wildcards + or #`, ReasonCode.TOPIC_NAME_INVALID);
  }
}

/** A filter a SUBSCRIBE names: `+` fills a whole level, `#` only the last. */
export function validateTopicFilter(filter: string): void {
  checkText('topic filter', filter);
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    const wild = level.includes('+') || level.includes('#');
    const whole = level === '+' || (level === '#' && i === levels.length - 1);
    if (wild && !whole) {
      throw new MqttError('INVALID_TOPIC_FILTER', `topic filter ${JSON.stringify(filter)}: + must fill a level and # must be the last level`, ReasonCode.TOPIC_FILTER_INVALID);
    }
  });
}

/** Whether `topic` matches `filter`; topics starting with $ match no filter starting with a wildcard. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether some topic matches both filters. */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; ; i++) {
    if (x[i] === '#' || y[i] === '#') return true;
    if (i >= x.length || i >= y.length) return x.length === y.length;
    if (x[i] !== '+' && y[i] !== '+' && x[i] !== y[i]) return false;
  }
}
