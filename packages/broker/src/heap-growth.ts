import * as v8 from 'v8';

/**
 * The V8 flag that lets the old generation grow to (1 + percent/100) times what the last full
 * collection kept before the next one starts; 0 leaves V8's own factor, which adapts between 1.1
 * and 4 to how busy the program is.
 *
 * A broker fixes it because V8 counts buffer memory allocated since the last full collection
 * against the old generation's limit, as if old objects held it. A broker allocates a buffer for
 * every socket read and every gRPC message it receives, about twice the bytes it ingests. They
 * die young, but up to 32 MiB of them live between two scavenges (measured; V8 scavenges early
 * when young buffers pile up, not when the semi-space fills), and a busy broker's adaptive limit
 * sat only 16 to 24 MiB above its old generation of about 12 MB. So each scavenge cycle also started a full
 * mark-compact: about 6 a second at 100 MB/s, 3 to 10 ms each on the thread that answers producers.
 * With V8's upper factor fixed the limit clears the young buffers' peak.
 */
export function heapGrowingFlag(percent: number): string {
  return `--heap-growing-percent=${percent}`;
}

/** Applies `heapGrowingFlag(percent)` to this process; V8 reads it each time it sets a new limit. */
export function setHeapGrowingPercent(percent: number): void {
  v8.setFlagsFromString(heapGrowingFlag(percent));
}
