import type { Admin } from '@gregor/client';

/** Client ids one DeleteGroups call carries at most. */
const MAX_BATCH = 500;

/**
 * Deletes the committed positions of sessions that clean starts discarded. Each client id waits
 * for the call before it to return and then goes with every other id queued meanwhile: a
 * reconnect storm of devices costs a few calls, not one each (a call per CONNECT was half of
 * what an idle connection cost the broker in memory).
 */
export class SessionDiscarder {
  private readonly queued = new Set<string>();
  private running = false;

  constructor(
    private readonly admin: Admin,
    private readonly groupOf: (clientId: string) => string,
  ) {}

  discard(clientId: string): void {
    this.queued.add(clientId);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.queued.size > 0) {
      const batch = [...this.queued].slice(0, MAX_BATCH);
      for (const id of batch) this.queued.delete(id);
      // Most ids never had a session: GROUP_ID_NOT_FOUND is the usual answer, and nothing to act on.
      await this.admin.deleteGroups(batch.map(this.groupOf)).catch(() => undefined);
    }
    this.running = false;
  }
}
