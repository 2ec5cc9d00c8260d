/**
 * Live throughput on a terminal: "produced 120000 records, 11.4 MiB (95000 rec/s, 9.1 MiB/s)".
 * Silent when the stream is not a TTY, so piped output stays clean.
 */
export class Progress {
  private records = 0;
  private bytes = 0;
  private readonly startedAt = Date.now();
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly verb: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    intervalMs = 1000,
  ) {
    this.timer = out.isTTY ? setInterval(() => this.render('\r'), intervalMs) : null;
    this.timer?.unref();
  }

  add(records: number, bytes: number): void {
    this.records += records;
    this.bytes += bytes;
  }

  private render(prefix: string): void {
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const mib = this.bytes / 1048576;
    this.out.write(
      `${prefix}${this.verb} ${this.records} records, ${mib.toFixed(1)} MiB ` +
        `(${Math.round(this.records / seconds)} rec/s, ${(mib / seconds).toFixed(1)} MiB/s)`,
    );
  }

  /** Stops updating; on a terminal leaves the final figures on their own line. */
  finish(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.render('\r');
    this.out.write('\n');
  }
}
