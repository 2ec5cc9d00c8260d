import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { KillNotice, WorkerMessage, WorkerResult, WorkerTask } from './task';

const WORKER_MAIN = path.join(__dirname, 'worker.js');

/** Worker processes still running, so the driver can kill them if it fails. */
const running = new Set<ChildProcess>();

/**
 * Runs one task in a fresh worker process, started with `nodeFlags`;
 * rejects if it fails, exits without a result, or overruns `timeoutMs`. A
 * worker that says it is ready (the failover task) is answered with what
 * `onReady` resolves to.
 */
export function runWorker(
  task: WorkerTask,
  timeoutMs: number,
  options: { onReady?: () => Promise<KillNotice>; nodeFlags?: string[] } = {},
): Promise<WorkerResult> {
  const { onReady, nodeFlags = [] } = options;
  return new Promise((resolve, reject) => {
    const child = fork(WORKER_MAIN, [JSON.stringify(task)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: nodeFlags });
    running.add(child);
    let result: WorkerResult | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${task.kind} worker for ${task.target.system} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (raw) => {
      const message = raw as WorkerMessage;
      if (message.kind === 'result') {
        result = message.result;
      } else if (!onReady) {
        child.kill('SIGKILL');
        reject(new Error(`${task.kind} worker for ${task.target.system} said ready, but nothing waits for that`));
      } else {
        onReady().then(
          (notice) => child.send(notice),
          (err: unknown) => {
            child.kill('SIGKILL');
            reject(err);
          },
        );
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0 && result !== null) resolve(result);
      else reject(new Error(`${task.kind} worker for ${task.target.system} exited (code ${code}, signal ${signal}) without a result`));
    });
  });
}

export function killWorkers(): void {
  for (const child of running) child.kill('SIGKILL');
}
