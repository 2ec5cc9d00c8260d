import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_ADDRESS } from '@gregor/client';

export function defaultBroker(): string {
  return process.env.GREGOR_BROKER ?? DEFAULT_ADDRESS;
}

/** The global --broker value: one or more bootstrap brokers, comma-separated. */
export function brokersOf(command: Command): string {
  return command.optsWithGlobals().broker as string;
}

export function parseInteger(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max}]`);
    }
    return value;
  };
}

/** Collects repeated `key=value` options into an object. */
export function collectPairs(raw: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(raw)}`);
  return { ...previous, [raw.slice(0, eq)]: raw.slice(eq + 1) };
}

export function collect(raw: string, previous: string[] = []): string[] {
  return [...previous, raw];
}

/** A time as ms since epoch or anything Date.parse understands (ISO 8601). */
export function parseTime(raw: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`expected ms since epoch or an ISO 8601 time, got ${JSON.stringify(raw)}`);
  return value;
}

/** Left-aligned columns for terminal tables. */
export function formatTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

export type OutputFormat = 'json' | 'table';

export interface OutputOptions {
  output: OutputFormat;
  json?: boolean;
}

/** The one output option of every command that prints data; --json is its older spelling. */
export function withOutput(command: Command): Command {
  return command
    .addOption(new Option('-o, --output <format>', 'json (one JSON object per line) or table').choices(['json', 'table']).default('table'))
    .option('--json', 'same as --output json');
}

export function outputOf(opts: OutputOptions): OutputFormat {
  return opts.json ? 'json' : opts.output;
}

/** Writes each value as one line of JSON. */
export function printJsonLines(values: readonly unknown[]): void {
  for (const value of values) process.stdout.write(JSON.stringify(value) + '\n');
}
