export { KafkaWireError, type KafkaWireErrorCode } from './errors';
export { WireReader, type TaggedFields } from './wire-reader';
export { WireWriter } from './wire-writer';
export { DEFAULT_MAX_FRAME_BYTES, FrameSplitter, frame } from './frame-splitter';
export {
  type ParsedRequest,
  type RequestHeader,
  type RequestHeaderVersion,
  type ResponseHeaderVersion,
  parseRequest,
  peekRequestKey,
  readResponseHeader,
  writeRequestHeader,
  writeResponseHeader,
} from './headers';
export { ErrorCode, type ErrorCodeValue } from './error-codes';
export { API_TABLE, type ApiRange, apiRange, isSupported, requestHeaderVersion, responseHeaderVersion } from './api-table';
export {
  type ApiVersionKey,
  type ApiVersionsRequest,
  type ApiVersionsResponse,
  answerApiVersions,
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from './apis/api-versions';
export { KafkaServer, type KafkaServerOptions } from './server/kafka-server';
export type { ApiHandler } from './server/handler';
export { KafkaFrontEnd, type KafkaFrontEndOptions } from './server/kafka-front-end';
export { brokerHandlers } from './server/broker-handlers';
export { NO_RESPONSE } from './server/handler';
export { kafkaErrorCode } from './error-codes';
