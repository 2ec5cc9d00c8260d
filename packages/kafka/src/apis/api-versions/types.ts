import type { TaggedFields } from '../../wire-reader';

export interface ApiVersionsRequest {
  /** From version 3; null before. */
  clientSoftwareName: string | null;
  clientSoftwareVersion: string | null;
  taggedFields: TaggedFields;
}

export interface ApiVersionKey {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: readonly ApiVersionKey[];
  throttleTimeMs: number;
}
