import { API_TABLE, apiRange, API_VERSIONS_KEY } from '../../api-table';
import { ErrorCode } from '../../error-codes';
import { KafkaWireError } from '../../errors';
import type { WireReader } from '../../wire-reader';
import type { WireWriter } from '../../wire-writer';
import type { ApiVersionsRequest, ApiVersionsResponse } from './types';
import * as classic from './v0-v2';
import * as flexible from './v3';

export type { ApiVersionKey, ApiVersionsRequest, ApiVersionsResponse } from './types';

export function decodeApiVersionsRequest(reader: WireReader, version: number): ApiVersionsRequest {
  const request = version >= 3 ? flexible.decodeRequest(reader) : classic.decodeRequest(reader);
  if (reader.remaining > 0) throw new KafkaWireError('INVALID_VALUE', `${reader.remaining} bytes after an ApiVersions v${version} request`);
  return request;
}

export function encodeApiVersionsResponse(writer: WireWriter, response: ApiVersionsResponse, version: number): void {
  if (version >= 3) flexible.encodeResponse(writer, response);
  else classic.encodeResponse(writer, response, version);
}

/**
 * The answer to ApiVersions at `version`: the API table, or, for a version above ours,
 * UNSUPPORTED_VERSION in the version 0 layout (which every client can read) so the client
 * retries with the highest version we list, as KIP-511 has Kafka brokers do.
 */
export function answerApiVersions(version: number): { response: ApiVersionsResponse; version: number } {
  const apiKeys = API_TABLE.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
  const max = apiRange(API_VERSIONS_KEY)!.maxVersion;
  if (version > max || version < 0) return { response: { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys, throttleTimeMs: 0 }, version: 0 };
  return { response: { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0 }, version };
}
