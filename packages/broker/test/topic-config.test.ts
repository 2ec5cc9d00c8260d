import { BrokerError } from '../src/errors';
import { builtInTopicDefaults, effectiveTopicConfigs, toLogConfig, validateTopicConfigs } from '../src/topic-config';

describe('topic configs', () => {
  it('turn into a storage LogConfig, topic over broker defaults over built-ins', () => {
    const effective = effectiveTopicConfigs({ 'retention.ms': '1000', 'segment.bytes': '4096' }, { 'retention.ms': '-1', 'flush.policy': 'interval', 'flush.interval.ms': '250' });
    const config = toLogConfig(effective);
    expect(config.retentionMs).toBe(-1);
    expect(config.segmentBytes).toBe(4096);
    expect(config.flush).toEqual({ kind: 'interval', intervalMs: 250, intervalBytes: Number(builtInTopicDefaults()['flush.interval.bytes']) });
    expect(toLogConfig(effectiveTopicConfigs({}, {})).flush).toEqual({ kind: 'always' });
  });

  it.each([
    [{ 'retention.ms': 'forever' }, /retention.ms must be an integer/],
    [{ 'retention.ms': '-2' }, /retention.ms/],
    [{ 'segment.bytes': '10' }, /segment.bytes must be an integer in \[1024/],
    [{ 'flush.policy': 'never' }, /flush.policy must be "always" or "interval"/],
    [{ 'cleanup.policy': 'forget' }, /cleanup.policy must be delete, compact or compact,delete/],
    [{ 'min.cleanable.dirty.ratio': '1.5' }, /min.cleanable.dirty.ratio must be a number in \[0, 1\]/],
    [{ 'compression.type': 'zstd' }, /unknown topic config "compression.type"/],
    [{ 'max.message.bytes': '1.5' }, /max.message.bytes/],
  ])('rejects %j', (configs, message) => {
    expect(() => validateTopicConfigs(configs as Record<string, string>)).toThrow(message);
    expect(() => validateTopicConfigs(configs as Record<string, string>)).toThrow(BrokerError);
  });

  it('take the compaction settings, the policy list in either order', () => {
    const config = toLogConfig(effectiveTopicConfigs({}, { 'cleanup.policy': 'delete,compact', 'min.cleanable.dirty.ratio': '0.25', 'delete.retention.ms': '5', 'min.compaction.lag.ms': '6', 'max.compaction.lag.ms': '7' }));
    expect(config).toMatchObject({ cleanupPolicy: 'compact,delete', minCleanableDirtyRatio: 0.25, deleteRetentionMs: 5, minCompactionLagMs: 6, maxCompactionLagMs: 7 });
    expect(toLogConfig(effectiveTopicConfigs({}, {})).cleanupPolicy).toBe('delete');
  });

  it('accepts -1 (unlimited) for retention', () => {
    expect(() => validateTopicConfigs({ 'retention.ms': '-1', 'retention.bytes': '-1' })).not.toThrow();
  });
});
