import { Worker } from 'node:worker_threads';
import { StorageError, type StorageErrorCode } from '../errors';
import type { CleanJob, PassReport } from './clean-pass';
import type { FromCleaner, ToCleaner } from './cleaner-messages';

interface Running {
  onCopied(baseOffset: number): boolean;
  resolve(report: PassReport): void;
  reject(err: Error): void;
}

/**
 * A worker thread that runs cleaner passes for every log of a broker, one pass at a time; the
 * log's own thread keeps the swaps (see PartitionLog.clean). Started on first use; `close` ends it.
 */
export class CleanerThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly running = new Map<number, Running>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Runs `job`; `onCopied` swaps a copy in on this thread and says whether it did. */
  run(job: CleanJob, onCopied: (baseOffset: number) => boolean): Promise<PassReport> {
    const result = this.queue.then(() => this.start(job, onCopied));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    for (const running of this.running.values()) running.reject(new StorageError('LOG_CLOSED', 'the cleaner thread is closing'));
    this.running.clear();
    if (worker) await worker.terminate();
  }

  private start(job: CleanJob, onCopied: (baseOffset: number) => boolean): Promise<PassReport> {
    if (this.closed) return Promise.reject(new StorageError('LOG_CLOSED', 'the cleaner thread is closed'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<PassReport>((resolve, reject) => {
      this.running.set(id, { onCopied, resolve, reject });
      worker.postMessage({ type: 'run', id, job } satisfies ToCleaner);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // Resolved through the package, so tests running the sources still start the built worker.
    const worker = new Worker(require.resolve('@gregor/storage/dist/cleaner/cleaner-worker.js'));
    worker.unref();
    worker.on('message', (message: FromCleaner) => this.receive(worker, message));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      if (code !== 0 && !this.closed) this.fail(new Error(`the cleaner thread exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private receive(worker: Worker, message: FromCleaner): void {
    const running = this.running.get(message.id);
    if (!running) return;
    if (message.type === 'copied') {
      let ok = false;
      try {
        ok = running.onCopied(message.baseOffset);
      } catch (err) {
        this.running.delete(message.id);
        running.reject(err as Error);
      }
      worker.postMessage({ type: 'swapped', id: message.id, ok } satisfies ToCleaner);
      return;
    }
    this.running.delete(message.id);
    if (message.type === 'done') running.resolve(message.report);
    else running.reject(message.code ? new StorageError(message.code as StorageErrorCode, message.message) : new Error(message.message));
  }

  private fail(err: Error): void {
    for (const running of this.running.values()) running.reject(err);
    this.running.clear();
  }
}
