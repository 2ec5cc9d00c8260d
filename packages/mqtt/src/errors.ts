/** MQTT 5 reason codes the front end answers with (3.1.1 clients get a close or a CONNACK return code). */
export const ReasonCode = {
  SUCCESS: 0x00,
  DISCONNECT_WITH_WILL_MESSAGE: 0x04,
  NO_SUBSCRIPTION_EXISTED: 0x11,
  UNSPECIFIED_ERROR: 0x80,
  MALFORMED_PACKET: 0x81,
  PROTOCOL_ERROR: 0x82,
  IMPLEMENTATION_SPECIFIC_ERROR: 0x83,
  CLIENT_IDENTIFIER_NOT_VALID: 0x85,
  BAD_USER_NAME_OR_PASSWORD: 0x86,
  SERVER_SHUTTING_DOWN: 0x8b,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  SESSION_TAKEN_OVER: 0x8e,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  TOPIC_ALIAS_INVALID: 0x94,
  PACKET_TOO_LARGE: 0x95,
  QUOTA_EXCEEDED: 0x97,
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: 0x9e,
} as const;

export type ReasonCodeValue = (typeof ReasonCode)[keyof typeof ReasonCode];

export type MqttErrorCode = 'INVALID_TOPIC_FILTER' | 'INVALID_TOPIC_NAME' | 'INVALID_MAPPING' | 'UNMAPPED_TOPIC';

/** A client's mistake or a bad mapping, with the reason code an MQTT 5 client is told. */
export class MqttError extends Error {
  constructor(
    readonly code: MqttErrorCode,
    message: string,
    readonly reasonCode: ReasonCodeValue = ReasonCode.UNSPECIFIED_ERROR,
  ) {
    super(message);
    this.name = 'MqttError';
  }
}
