import { filtersOverlap, MqttError, topicMatches, validateTopicFilter, validateTopicName } from '../src';

describe('MQTT topic names and filters', () => {
  it.each([
    ['chat/+/messages', 'chat/r1/messages', true],
    ['chat/+/messages', 'chat/r1/other', false],
    ['chat/#', 'chat', true],
    ['chat/#', 'chat/a/b/c', true],
    ['#', 'a/b', true],
    ['+', 'a', true],
    ['+', 'a/b', false],
    ['+/+', '/x', true],
    ['a/b', 'a/b/c', false],
    ['#', '$SYS/uptime', false],
    ['+/uptime', '$SYS/uptime', false],
    ['$SYS/#', '$SYS/uptime', true],
  ])('filter %s against topic %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it.each([
    ['chat/+/messages', 'chat/r1/#', true],
    ['chat/+/messages', 'chat/+/other', false],
    ['dev/#', 'chat/#', false],
    ['#', 'anything/at/all', true],
    ['a/+', 'a/b/c', false],
    ['a/b', 'a/b', true],
  ])('filters %s and %s overlap: %s', (a, b, expected) => {
    expect(filtersOverlap(a, b)).toBe(expected);
    expect(filtersOverlap(b, a)).toBe(expected);
  });

  it.each(['a/+', 'a/#', 'a+', '', 'a\u0000b', 'bad\uFFFD'])('refuses the topic name %j', (topic) => {
    expect(() => validateTopicName(topic)).toThrow(MqttError);
  });

  it.each(['a/b#', 'a/#/b', 'a+/b', '', 'x\u0000'])('refuses the topic filter %j with reason 0x8F', (filter) => {
    expect(() => validateTopicFilter(filter)).toThrow(expect.objectContaining({ code: 'INVALID_TOPIC_FILTER', reasonCode: 0x8f }));
  });

  it.each(['#', '+', 'a/+/b/#', '/'])('accepts the topic filter %j', (filter) => {
    expect(() => validateTopicFilter(filter)).not.toThrow();
  });
});
