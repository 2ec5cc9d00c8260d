/**
 * @gregor/mqtt: MQTT 3.1.1 and 5.0 clients publish into and subscribe out of the log.
 *
 * - `MqttFrontEnd`: the broker's MQTT listener (a FrontEnd the CLI starts).
 * - `parseMappings` / `TopicMappings`: MQTT topic filters mapped to log topics
 *   (`chat/+room/messages -> chat-messages, key = room`); `MappingStore`: those added at run
 *   time, shared by the cluster (`gregor mqtt map`).
 * - `Authenticator`: the CONNECT check (`allowAll` by default).
 * - `TOPIC_HEADER` / `QOS_HEADER`: the record headers holding a message's MQTT topic and QoS.
 */
export { MqttFrontEnd, MQTT_LISTENER, type MqttFrontEndOptions } from './mqtt-front-end';
export { parseMapping, parseMappings, formatMapping, plainFilter, TopicMappings, type TopicMapping } from './topic-mapping';
export { MappingStore, MAPPINGS_TOPIC } from './mapping-store';
export { topicMatches, validateTopicFilter, validateTopicName, filtersOverlap } from './topic-filter';
export { allowAll, type Authenticator, type MqttCredentials } from './authenticator';
export { MqttError, ReasonCode, type MqttErrorCode } from './errors';
export { TOPIC_HEADER, QOS_HEADER } from './mqtt-records';
export { RETAINED_TOPIC } from './retained-store';
export { sessionGroup } from './mqtt-connection';
