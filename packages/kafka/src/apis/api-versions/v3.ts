import type { WireReader } from '../../wire-reader';
import type { WireWriter } from '../../wire-writer';
import type { ApiVersionsRequest, ApiVersionsResponse } from './types';

/** Version 3, the first flexible one: the client names its software; no feature tags are sent back. */
export function decodeRequest(reader: WireReader): ApiVersionsRequest {
  const clientSoftwareName = reader.compactString();
  const clientSoftwareVersion = reader.compactString();
  return { clientSoftwareName, clientSoftwareVersion, taggedFields: reader.taggedFields() };
}

export function encodeResponse(writer: WireWriter, response: ApiVersionsResponse): void {
  writer.int16(response.errorCode);
  writer.compactArray(response.apiKeys, (w, key) => w.int16(key.apiKey).int16(key.minVersion).int16(key.maxVersion).taggedFields());
  writer.int32(response.throttleTimeMs);
  writer.taggedFields();
}
