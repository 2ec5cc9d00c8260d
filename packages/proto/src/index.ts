/**
 * @gregor/proto: the gregor.v1 public API and grpc.health.v1, loaded once with
 * the options both ends agree on (see LOADER_OPTIONS), plus TypeScript shapes
 * of the decoded messages.
 *
 * Service definitions (for grpc.Server#addService) are `services.Log.service`
 * etc.; the constructors themselves make untyped grpc clients.
 */
export { services, PROTO_ROOT, PROTO_FILES, LOADER_OPTIONS } from './load';
export * from './messages';
export { FLOW_CONTROL_WINDOW_BYTES, CLIENT_FLOW_CONTROL_OPTIONS } from './flow-control';
export { frameProduceRequest, produceRequestHeadroom, type ProduceRequestFields } from './produce-request-frame';
export { frameSubscribeResponse, SUBSCRIBE_RESPONSE_HEADROOM } from './subscribe-response-frame';
export {
  CONSUMER_PROTOCOL_TYPE,
  ConsumerProtocolError,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type ConsumerAssignment,
  type ConsumerSubscription,
  type TopicPartitionList,
} from './consumer-protocol';
