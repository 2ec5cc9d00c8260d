import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  /** 0 set, 1 delete, 2 append, 3 subtract (IncrementalAlterConfigs; AlterConfigs sets them all). */
  configs: Array<{ name: string; operation: number; value: string | null }>;
}

export interface AlterConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * The request of AlterConfigs v0-v2 (flexible from 2) and of IncrementalAlterConfigs v0-v1
 * (flexible from 1), which adds an operation to each config; both answer alike.
 */
export function decodeAlterRequest(r: VersionedReader, incremental: boolean): { resources: AlterConfigsResource[]; validateOnly: boolean } {
  const resources = r.array((e) => {
    const resourceType = e.int8();
    const resourceName = e.string();
    const configs = e.array((c) => {
      const name = c.string();
      const operation = incremental ? c.int8() : 0;
      const value = c.nullableString();
      c.tags();
      return { name, operation, value };
    });
    e.tags();
    return { resourceType, resourceName, configs };
  });
  const validateOnly = r.boolean();
  r.tags();
  return { resources, validateOnly };
}

export function encodeAlterResponse(w: VersionedWriter, results: readonly AlterConfigsResult[]): void {
  w.int32(0);
  w.array(results, (e, result) => {
    e.int16(result.errorCode).nullableString(result.errorMessage).int8(result.resourceType).string(result.resourceName);
    e.tags();
  });
  w.tags();
}
