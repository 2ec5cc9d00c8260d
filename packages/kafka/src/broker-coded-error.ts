/** A failure named with one of the broker's error codes, for kafkaErrorCode to translate like the broker's own. */
export class BrokerCodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerCodedError';
  }
}
