export const DEFAULT_ADDRESS = '127.0.0.1:7070';

/**
 * Bootstrap addresses from a list, a comma-separated string, or else
 * $GREGOR_BROKER (itself possibly a list), or else 127.0.0.1:7070.
 */
export function parseBrokerList(value: string | readonly string[] | undefined, env: string | undefined = process.env.GREGOR_BROKER): string[] {
  const source = value ?? env ?? DEFAULT_ADDRESS;
  const parts = (typeof source === 'string' ? [source] : source).flatMap((s) => s.split(','));
  const addresses = [...new Set(parts.map((s) => s.trim()).filter((s) => s !== ''))];
  return addresses.length > 0 ? addresses : [DEFAULT_ADDRESS];
}
