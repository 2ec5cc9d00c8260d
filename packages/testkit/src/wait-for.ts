/**
 * Polls `condition` until it returns a truthy value (which is returned) or
 * `deadlineMs` passes (rejects, naming `what`). Tests wait with this, never
 * with fixed sleeps.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  deadlineMs = 10000,
  what = 'condition',
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: last error ${lastError.message}` : '';
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
