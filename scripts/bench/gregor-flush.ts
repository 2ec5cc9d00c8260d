/**
 * Gregor topics syncing on every acknowledgement group (its default), or
 * once a second like Redis' appendfsync everysec (the byte trigger is set
 * out of reach so only time triggers it).
 */
export const GREGOR_FLUSH: ReadonlyArray<{ flush: string; topicConfigs: Record<string, string> }> = [
  { flush: 'always', topicConfigs: { 'flush.policy': 'always' } },
  { flush: 'interval-1s', topicConfigs: { 'flush.policy': 'interval', 'flush.interval.ms': '1000', 'flush.interval.bytes': String(2 ** 40) } },
];

export const GREGOR_FLUSH_NAMES: readonly string[] = GREGOR_FLUSH.map((f) => f.flush);
