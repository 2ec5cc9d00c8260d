import { formatMapping, MqttError, parseMapping, parseMappings, plainFilter, TopicMappings } from '../src';
import { topicFromKey } from '../src/topic-mapping';

describe('MQTT topic mappings', () => {
  it('reads a filter with a named key level', () => {
    expect(parseMapping('chat/+room/messages -> chat-messages, key = room')).toEqual({
      spec: 'chat/+room/messages',
      filter: 'chat/+/messages',
      logTopic: 'chat-messages',
      keyName: 'room',
      keyLevel: 1,
    });
  });

  it('keys each topic by its level, first matching mapping first, and refuses an unmapped topic', () => {
    const mappings = new TopicMappings(parseMappings('chat/+room/messages -> chat, key = room; chat/# -> chat-other; dev/+id/# -> devices, key = id'));
    expect(mappings.resolve('chat/r7/messages')).toMatchObject({ key: 'r7', mapping: { logTopic: 'chat' } });
    expect(mappings.resolve('chat/r7/typing')).toMatchObject({ key: null, mapping: { logTopic: 'chat-other' } });
    expect(mappings.resolve('dev/phone-1/battery/level')).toMatchObject({ key: 'phone-1', mapping: { logTopic: 'devices' } });
    expect(() => mappings.resolve('elsewhere')).toThrow(expect.objectContaining({ code: 'UNMAPPED_TOPIC', reasonCode: 0x90 }));
  });

  it.each([
    ['no arrow', 'chat/#'],
    ['bad log topic', 'chat/# -> no spaces'],
    ['internal log topic', 'chat/# -> __consumer_offsets'],
    ['bad filter', 'chat/#/x -> chat'],
    ['unknown option', 'chat/+r -> chat, partitions = 3'],
    ['key naming no level', 'chat/+room -> chat, key = user'],
  ])('refuses a mapping with %s', (_why, text) => {
    expect(() => parseMapping(text)).toThrow(MqttError);
  });

  it('tries the configured mappings before those added at run time, and replaces only the added ones', () => {
    const mappings = new TopicMappings(parseMappings('chat/# -> chat'));
    mappings.setAdded([parseMapping('chat/+room/messages -> chat-messages, key = room'), parseMapping('dev/# -> devices')]);
    expect(mappings.resolve('chat/r1/messages').mapping.logTopic).toBe('chat');
    expect(mappings.resolve('dev/lamp').mapping.logTopic).toBe('devices');
    mappings.setAdded([]);
    expect(mappings.all.map((m) => m.logTopic)).toEqual(['chat']);
    expect(() => mappings.resolve('dev/lamp')).toThrow(expect.objectContaining({ code: 'UNMAPPED_TOPIC' }));
  });

  it('names a filter without its level names, and writes a mapping back as it reads', () => {
    expect(plainFilter(' chat/+room/messages ')).toBe('chat/+/messages');
    expect(plainFilter('dev/+/#')).toBe('dev/+/#');
    expect(() => plainFilter('dev/#/x')).toThrow();
    for (const text of ['chat/+room/messages -> chat-messages, key = room', 'dev/# -> devices']) expect(formatMapping(parseMapping(text))).toBe(text);
  });

  it('builds a topic from a key for records produced without one, when the key level is the only wildcard', () => {
    const [chat, devices] = parseMappings('chat/+room/messages -> chat, key = room; dev/+id/# -> devices, key = id');
    expect(topicFromKey(chat!, 'r9')).toBe('chat/r9/messages');
    expect(topicFromKey(chat!, 'a/b')).toBeNull();
    expect(topicFromKey(chat!, null)).toBeNull();
    expect(topicFromKey(devices!, 'd1')).toBeNull();
  });
});
