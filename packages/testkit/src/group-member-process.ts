import { ChildProcess, spawn } from 'child_process';
import { CLI_MAIN } from './broker-program';

/** One record a member printed: printing is what "processed" means for these members. */
export interface ProcessedRecord {
  partition: number;
  offset: number;
  value: string;
  /** When this process saw the line (ms since the epoch). */
  receivedAt: number;
}

export interface GroupMemberOptions {
  brokers: string;
  topic: string;
  group: string;
  /** Extra `gregor consume` flags, e.g. ['--session-timeout', '3000', '--assignor', 'cooperative-sticky']. */
  flags?: string[];
}

const LIVE = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of LIVE) child.kill('SIGKILL');
});

/**
 * `gregor consume --group` as a child process: a member of a consumer group exactly as users run
 * one, whose printed records (--format json) are collected as they arrive.
 */
export class GroupMemberProcess {
  readonly processed: ProcessedRecord[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(options: GroupMemberOptions) {
    const args = [CLI_MAIN, '--broker', options.brokers, 'consume', options.topic, '--group', options.group, '--from-beginning', '--format', 'json', ...(options.flags ?? [])];
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    LIVE.add(this.child);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        LIVE.delete(this.child);
        resolve({ code, signal });
      }),
    );
    let pending = '';
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => {
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const { partition, offset, value } = JSON.parse(pending.slice(0, newline)) as ProcessedRecord;
        pending = pending.slice(newline + 1);
        this.processed.push({ partition, offset, value, receivedAt: Date.now() });
      }
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => this.stderr.push(text));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: the member vanishes without leaving the group or committing. SIGTERM: it commits, revokes and leaves. */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (this.running) this.child.kill(signal);
    await this.exited;
  }
}
