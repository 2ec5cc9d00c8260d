import type { RequestHeader } from '../headers';
import type { ApiHandler, KafkaClient } from '../server/handler';
import { VersionedReader, VersionedWriter } from '../versioned';

/**
 * An API handler from its three parts: the request read at its version (compact and tagged from
 * `flexibleFrom` on), the answer, and the response written at the same version.
 */
export function versionedHandler<Req, Res>(
  flexibleFrom: number,
  decode: (reader: VersionedReader) => Req,
  answer: (request: Req, header: RequestHeader, client: KafkaClient) => Promise<Res> | Res,
  encode: (writer: VersionedWriter, response: Res) => void,
): ApiHandler {
  return async (header, body, out, client) => {
    const version = header.apiVersion;
    const flexible = version >= flexibleFrom;
    const response = await answer(decode(new VersionedReader(body, version, flexible)), header, client);
    encode(new VersionedWriter(out, version, flexible), response);
  };
}
