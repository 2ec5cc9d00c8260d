import type { RequestHeader } from '../headers';
import type { WireReader } from '../wire-reader';
import type { WireWriter } from '../wire-writer';

/** What a handler returns for a request that gets no answer at all (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

/** Who sent a request: what group members are described with. */
export interface KafkaClient {
  /** As Kafka brokers write it: "/" and the peer's IP address. */
  host: string;
}

/**
 * Serves one API: reads the request body at `header.apiVersion` and writes the response body
 * (the response header is written for it). A KafkaWireError thrown while reading means the
 * request was malformed: the connection is closed, as a Kafka broker does.
 */
export type ApiHandler = (header: RequestHeader, body: WireReader, out: WireWriter, client: KafkaClient) => Promise<void | typeof NO_RESPONSE> | void | typeof NO_RESPONSE;
