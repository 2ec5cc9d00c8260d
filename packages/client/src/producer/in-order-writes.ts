const settledOnly = (): void => undefined;

/**
 * Puts one partition's requests on the wire in the order they were asked for. Finding the
 * partition's leader can take longer for one request (a metadata lookup) than for the next (a
 * cached address), and a request that overtook an earlier one would reach the leader out of
 * sequence; so each waits for the one before it to be written, or to fail to be.
 */
export class InOrderWrites {
  private last: Promise<void> | null = null;

  /**
   * Once every earlier write has run, resolves `where`, then calls `write` there at once; its
   * answer is passed through unawaited, so that the next write need not wait for it.
   */
  write<T>(where: () => Promise<string>, write: (address: string) => T): Promise<{ address: string; answer: T }> {
    const ready = this.last ? this.last.then(where) : where();
    const written = ready.then((address) => ({ address, answer: write(address) }));
    const settled = written.then(settledOnly, settledOnly);
    this.last = settled;
    void settled.then(() => {
      if (this.last === settled) this.last = null;
    });
    return written;
  }
}
