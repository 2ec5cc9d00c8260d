import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { BlockReserver } from './block-reserver';

/**
 * One request per line, "<offset> <length> <path>", answered in order by a line "0" (reserved)
 * or "1" (not). The path is the rest of the line, so it may hold spaces.
 */
const HELPER_SCRIPT = `command -v fallocate >/dev/null 2>&1 || exit 127
while IFS= read -r line; do
  offset=\${line%% *}; rest=\${line#* }; length=\${rest%% *}; file=\${rest#* }
  if fallocate --keep-size --offset "$offset" --length "$length" -- "$file" 2>/dev/null; then echo 0; else echo 1; fi
done`;

/**
 * A BlockReserver running util-linux `fallocate --keep-size` (Debian installs it everywhere) from
 * one long-lived shell. Node has no fallocate, and no maintained npm package offers one without
 * compiling an addon at install. Starting a process per request would fork the broker each time,
 * and a fork blocks the event loop for as long as copying the page tables takes: 33 ms at a 1.1 GB
 * resident size here. The shell is forked once, while the broker is still small, and forks the
 * small processes itself.
 */
export class FallocateReserver implements BlockReserver {
  private readonly waiting: ((reserved: boolean) => void)[] = [];
  private helper: ChildProcess | null;

  private constructor(
    helper: ChildProcess,
    private readonly onUnavailable: (reason: string) => void,
  ) {
    this.helper = helper;
    helper.on('error', (err) => this.shutDown(`cannot run /bin/sh: ${err.message}`));
    helper.on('exit', (code, signal) =>
      this.shutDown(code === 127 ? 'fallocate (util-linux) is not installed' : `the helper shell exited (${signal ?? `code ${code}`})`),
    );
    helper.stdin?.on('error', (err) => this.shutDown(`the helper shell stopped reading: ${err.message}`));
    const answers = createInterface({ input: helper.stdout! });
    answers.on('line', (line) => this.waiting.shift()?.(line === '0'));
  }

  /** `onUnavailable` hears why, should the helper stop before close(); every request is then refused. */
  static start(onUnavailable: (reason: string) => void = () => undefined): FallocateReserver {
    const helper = spawn('/bin/sh', ['-c', HELPER_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    // Neither the helper nor its pipes keep the process alive: a broker exits without closing it.
    helper.unref();
    for (const stream of [helper.stdin, helper.stdout]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
    return new FallocateReserver(helper, onUnavailable);
  }

  reserve(path: string, offset: number, length: number): Promise<boolean> {
    const helper = this.helper;
    if (helper === null || path.includes('\n') || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length <= 0) {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      helper.stdin?.write(`${offset} ${length} ${path}\n`);
    });
  }

  close(): void {
    const helper = this.helper;
    this.helper = null;
    this.refuseWaiting();
    helper?.kill();
  }

  private shutDown(reason: string): void {
    if (this.helper === null) return;
    this.helper = null;
    this.refuseWaiting();
    this.onUnavailable(reason);
  }

  private refuseWaiting(): void {
    for (const resolve of this.waiting.splice(0)) resolve(false);
  }
}
