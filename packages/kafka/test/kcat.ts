import { spawn } from 'node:child_process';

export interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs Debian's kcat (librdkafka) with `input` on stdin; rejects after `timeoutMs` so a hang fails the test. */
export function kcat(args: string[], input = '', timeoutMs = 60_000): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`kcat could not run (install Debian's kcat package): ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
