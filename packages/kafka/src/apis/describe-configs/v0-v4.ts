import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  /** null: every config. */
  configurationKeys: string[] | null;
}

export interface DescribedConfig {
  name: string;
  value: string;
  configSource: number;
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribedConfig[];
}

/**
 * DescribeConfigs v0-v4 (flexible from 4): v1 adds synonyms and each config's source (v0 says
 * is-default instead), v3 the config's type and documentation (neither known here: type 0, no text).
 */
export function decodeRequest(r: VersionedReader): DescribeConfigsResource[] {
  const resources = r.array((e) => {
    const resourceType = e.int8();
    const resourceName = e.string();
    const configurationKeys = e.nullableArray((k) => k.string());
    e.tags();
    return { resourceType, resourceName, configurationKeys };
  });
  if (r.version >= 1) r.boolean();
  if (r.version >= 3) r.boolean();
  r.tags();
  return resources;
}

export function encodeResponse(w: VersionedWriter, { results, defaultSource }: { results: readonly DescribeConfigsResult[]; defaultSource: number }): void {
  const v = w.version;
  w.int32(0);
  w.array(results, (e, result) => {
    e.int16(result.errorCode).nullableString(result.errorMessage).int8(result.resourceType).string(result.resourceName);
    e.array(result.configs, (c, config) => {
      c.string(config.name).nullableString(config.value).boolean(false);
      if (v === 0) c.boolean(config.configSource === defaultSource);
      else c.int8(config.configSource);
      c.boolean(false);
      // No synonyms: a topic config has one source here.
      if (v >= 1) c.array<never>([], () => undefined);
      if (v >= 3) c.int8(0).nullableString(null);
      c.tags();
    });
    e.tags();
  });
  w.tags();
}
