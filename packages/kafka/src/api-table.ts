import type { RequestHeaderVersion, ResponseHeaderVersion } from './headers';

export interface ApiRange {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  /** The first flexible version (tagged fields, compact types); Infinity if none is implemented. */
  flexibleFrom: number;
}

/**
 * Every API this package implements, with exactly the versions it implements: ApiVersions
 * advertises this table, so a client never picks a version nobody here can read.
 */
export const API_TABLE: readonly ApiRange[] = [
  { apiKey: 0, name: 'Produce', minVersion: 0, maxVersion: 9, flexibleFrom: 9 },
  { apiKey: 1, name: 'Fetch', minVersion: 4, maxVersion: 13, flexibleFrom: 12 },
  { apiKey: 2, name: 'ListOffsets', minVersion: 1, maxVersion: 7, flexibleFrom: 6 },
  { apiKey: 3, name: 'Metadata', minVersion: 0, maxVersion: 12, flexibleFrom: 9 },
  { apiKey: 8, name: 'OffsetCommit', minVersion: 0, maxVersion: 8, flexibleFrom: 8 },
  { apiKey: 9, name: 'OffsetFetch', minVersion: 0, maxVersion: 8, flexibleFrom: 6 },
  { apiKey: 10, name: 'FindCoordinator', minVersion: 0, maxVersion: 4, flexibleFrom: 3 },
  { apiKey: 11, name: 'JoinGroup', minVersion: 0, maxVersion: 9, flexibleFrom: 6 },
  { apiKey: 12, name: 'Heartbeat', minVersion: 0, maxVersion: 4, flexibleFrom: 4 },
  { apiKey: 13, name: 'LeaveGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4 },
  { apiKey: 14, name: 'SyncGroup', minVersion: 0, maxVersion: 5, flexibleFrom: 4 },
  { apiKey: 15, name: 'DescribeGroups', minVersion: 0, maxVersion: 5, flexibleFrom: 5 },
  { apiKey: 16, name: 'ListGroups', minVersion: 0, maxVersion: 4, flexibleFrom: 3 },
  { apiKey: 18, name: 'ApiVersions', minVersion: 0, maxVersion: 3, flexibleFrom: 3 },
  { apiKey: 19, name: 'CreateTopics', minVersion: 0, maxVersion: 7, flexibleFrom: 5 },
  { apiKey: 20, name: 'DeleteTopics', minVersion: 0, maxVersion: 6, flexibleFrom: 4 },
  { apiKey: 22, name: 'InitProducerId', minVersion: 0, maxVersion: 4, flexibleFrom: 2 },
  { apiKey: 32, name: 'DescribeConfigs', minVersion: 0, maxVersion: 4, flexibleFrom: 4 },
  { apiKey: 33, name: 'AlterConfigs', minVersion: 0, maxVersion: 2, flexibleFrom: 2 },
  { apiKey: 37, name: 'CreatePartitions', minVersion: 0, maxVersion: 3, flexibleFrom: 2 },
  { apiKey: 42, name: 'DeleteGroups', minVersion: 0, maxVersion: 2, flexibleFrom: 2 },
  { apiKey: 44, name: 'IncrementalAlterConfigs', minVersion: 0, maxVersion: 1, flexibleFrom: 1 },
];

const BY_KEY = new Map(API_TABLE.map((api) => [api.apiKey, api]));

export const API_VERSIONS_KEY = 18;

export function apiRange(apiKey: number): ApiRange | undefined {
  return BY_KEY.get(apiKey);
}

export function isSupported(apiKey: number, apiVersion: number): boolean {
  const api = BY_KEY.get(apiKey);
  return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
}

/** Header version of a supported request: 2 for flexible versions, else 1. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): RequestHeaderVersion {
  const api = BY_KEY.get(apiKey);
  return api !== undefined && apiVersion >= api.flexibleFrom ? 2 : 1;
}

/** Header version of a response: 1 for flexible versions, except ApiVersions, which always answers with 0. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): ResponseHeaderVersion {
  if (apiKey === API_VERSIONS_KEY) return 0;
  const api = BY_KEY.get(apiKey);
  return api !== undefined && apiVersion >= api.flexibleFrom ? 1 : 0;
}
