export type KafkaWireErrorCode =
  /** The bytes end before the value they announce. */
  | 'TRUNCATED'
  /** A length, count or varint outside what the protocol allows. */
  | 'INVALID_VALUE'
  /** A frame's size prefix is negative or above the listener's limit. */
  | 'FRAME_TOO_LARGE';

/**
 * A request the codec cannot read. Whoever serves the connection decides what it costs: Kafka
 * brokers answer what they can parse the header of and close the connection otherwise.
 */
export class KafkaWireError extends Error {
  readonly code: KafkaWireErrorCode;

  constructor(code: KafkaWireErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'KafkaWireError';
    this.code = code;
  }
}
