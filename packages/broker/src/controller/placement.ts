/**
 * Replicas for each partition of a new topic: the live brokers in id order, each partition's
 * list starting one broker further on, so replicas and preferred leaders (the first of each
 * list) spread evenly. `rotation` shifts where topics start, so many small topics do not all
 * lead on the same broker.
 */
export function placeReplicas(brokers: readonly number[], partitions: number, replicationFactor: number, rotation: number): number[][] {
  const sorted = [...brokers].sort((a, b) => a - b);
  const factor = Math.min(replicationFactor, sorted.length);
  const assignments: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    const start = (p + rotation) % sorted.length;
    assignments.push(Array.from({ length: factor }, (_, k) => sorted[(start + k) % sorted.length]));
  }
  return assignments;
}
