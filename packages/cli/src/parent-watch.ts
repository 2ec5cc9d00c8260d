/** How often a long-running command checks that its parent is still there. */
const PARENT_CHECK_MS = 500;

/**
 * Calls `stop` once this process's parent has gone (it is re-parented). `npx gregor` runs
 * gregor under `sh -c`; a SIGTERM to npx ends npx and the shell but never reaches gregor, and
 * a consumer left so ran on forever. Returns a function that stops watching.
 */
export function whenParentExits(stop: () => void): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, PARENT_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
