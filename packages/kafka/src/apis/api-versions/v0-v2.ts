import type { WireReader } from '../../wire-reader';
import type { WireWriter } from '../../wire-writer';
import type { ApiVersionsRequest, ApiVersionsResponse } from './types';

/** Versions 0–2 have an empty request; the response adds throttle time from version 1. */
export function decodeRequest(_reader: WireReader): ApiVersionsRequest {
  return { clientSoftwareName: null, clientSoftwareVersion: null, taggedFields: new Map() };
}

export function encodeResponse(writer: WireWriter, response: ApiVersionsResponse, version: number): void {
  writer.int16(response.errorCode);
  writer.array(response.apiKeys, (w, key) => w.int16(key.apiKey).int16(key.minVersion).int16(key.maxVersion));
  if (version >= 1) writer.int32(response.throttleTimeMs);
}
