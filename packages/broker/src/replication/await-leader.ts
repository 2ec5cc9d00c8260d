const POLL_MS = 20;

/**
 * Waits until `leaderOf` names a leader (non-zero) or `waitMs` passes, and returns the last answer.
 * An election takes an election timeout or two; a request arriving during one is better served a
 * little late than refused with an error every client must retry.
 */
export async function awaitKnownLeader(leaderOf: () => number, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  let leader = leaderOf();
  while (leader === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    leader = leaderOf();
  }
  return leader;
}
