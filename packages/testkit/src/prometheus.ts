import { execFile } from 'node:child_process';

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Debian's Python, which has python3-prometheus-client (a pyenv python on PATH may not). */
const PYTHON = '/usr/bin/python3';

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append({"name": s.name, "labels": s.labels, "value": s.value})
json.dump(samples, sys.stdout)
`;

/**
 * Every sample of a /metrics page, as the Prometheus project's own Python client parses the text
 * format: a page it cannot parse rejects.
 */
export function parsePrometheus(text: string): Promise<PrometheusSample[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', PARSE], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the Prometheus parser refused the page: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as PrometheusSample[]);
    });
    child.stdin!.end(text);
  });
}

/** The value of the one sample with this name and these labels (among others); undefined if none. */
export function sampleValue(samples: readonly PrometheusSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
