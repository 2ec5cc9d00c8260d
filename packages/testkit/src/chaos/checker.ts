import { Ack, ChaosHistory, CheckResult, ReplicaLog, StoredRecord } from './history';

const MAX_PROBLEMS = 50;

/** Collects counts and the first problem lines. */
class Findings {
  lost = 0;
  duplicated = 0;
  divergent = 0;
  reordered = 0;
  readonly problems: string[] = [];

  note(kind: 'lost' | 'duplicated' | 'divergent' | 'reordered', problem: string, count = 1): void {
    this[kind] += count;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${kind}: ${problem}`);
  }
}

/**
 * Checks a chaos run's history against the logs left on disk:
 * - lost: an acknowledged value absent from its partition's committed log;
 * - duplicated: a value stored more than once;
 * - divergent: replicas whose bytes differ below the high watermark, a replica
 *   missing committed data, gaps or overlaps in a log, a final read that
 *   differs from the replicas, an ack or a consumer read at an offset that
 *   now holds something else, and a consumer's offsets going backwards;
 * - reordered: an acknowledged record stored in its partition after a record
 *   its producer sent later (per partition, each producer's records keep their
 *   send order).
 * Pure: the same history always gives the same result.
 */
export function checkHistory(history: ChaosHistory): CheckResult {
  const findings = new Findings();
  const committed: Array<Map<number, string>> = [];
  for (let partition = 0; partition < history.partitions; partition++) {
    committed.push(checkPartition(history, partition, findings));
  }
  countDuplicates(committed, findings);
  checkAcks(history, committed, findings);
  checkObservations(history, committed, findings);
  checkSendOrder(history, committed, findings);
  return {
    acked: history.acks.length,
    lost: findings.lost,
    duplicated: findings.duplicated,
    divergent: findings.divergent,
    reordered: findings.reordered,
    problems: findings.problems,
  };
}

/** Checks one partition's replicas and final read; returns its committed records by offset. */
function checkPartition(history: ChaosHistory, partition: number, findings: Findings): Map<number, string> {
  const replicas = history.replicas.filter((r) => r.partition === partition).sort((a, b) => a.brokerId - b.brokerId);
  for (const replica of replicas) checkContiguous(replica, findings);
  const highWatermark = history.highWatermarks.get(partition) ?? Math.min(...replicas.map(logEnd));
  if (!Number.isFinite(highWatermark)) {
    // No replica and no high watermark: only the final read can speak for this partition.
    return recordsByOffset(history.finalReads.get(partition) ?? []);
  }
  for (const replica of replicas) {
    if (logEnd(replica) < highWatermark) {
      findings.note('divergent', `p${partition} replica on broker ${replica.brokerId} ends at ${logEnd(replica)}, below the high watermark ${highWatermark}`);
    }
  }
  const reference = replicas.find((r) => logEnd(r) >= highWatermark) ?? replicas[0];
  for (const replica of replicas) {
    if (replica !== reference && replica !== undefined) compareBytes(reference, replica, highWatermark, findings);
  }
  const records = reference ? committedRecords(reference, highWatermark) : history.finalReads.get(partition) ?? [];
  const finalRead = history.finalReads.get(partition);
  if (finalRead && reference) compareFinalRead(partition, records, finalRead, findings);
  return recordsByOffset(records);
}

function logEnd(replica: ReplicaLog): number {
  const last = replica.batches[replica.batches.length - 1];
  return last ? last.lastOffset + 1 : replica.logStartOffset;
}

/** Batches must follow each other without gaps or overlaps, and records sit at consecutive offsets. */
function checkContiguous(replica: ReplicaLog, findings: Findings): void {
  const where = `p${replica.partition} replica on broker ${replica.brokerId}`;
  let expected = replica.logStartOffset;
  for (const batch of replica.batches) {
    if (batch.baseOffset !== expected || batch.lastOffset < batch.baseOffset) {
      const what = batch.baseOffset > expected ? 'gap' : 'offsets went backwards';
      findings.note('divergent', `${where}: ${what}: batch [${batch.baseOffset}, ${batch.lastOffset}] follows offset ${expected - 1}`);
    }
    for (let i = 0; i < batch.records.length; i++) {
      if (batch.records[i].offset !== batch.baseOffset + i || batch.records[i].offset > batch.lastOffset) {
        findings.note('divergent', `${where}: record ${i} of batch at ${batch.baseOffset} has offset ${batch.records[i].offset}`);
        break;
      }
    }
    expected = Math.max(expected, batch.lastOffset + 1);
  }
}

/** Every batch below the high watermark must be byte-identical on both replicas. */
function compareBytes(reference: ReplicaLog, replica: ReplicaLog, highWatermark: number, findings: Findings): void {
  const theirs = new Map(replica.batches.map((b) => [b.baseOffset, b]));
  for (const batch of reference.batches) {
    if (batch.baseOffset >= highWatermark) break;
    const other = theirs.get(batch.baseOffset);
    if (other === undefined && batch.baseOffset >= logEnd(replica)) return; // already reported as short
    if (other === undefined || other.lastOffset !== batch.lastOffset || !other.bytes.equals(batch.bytes)) {
      findings.note(
        'divergent',
        `p${reference.partition} brokers ${reference.brokerId} and ${replica.brokerId} differ in the batch at offset ${batch.baseOffset} (below the high watermark ${highWatermark})`,
      );
      return;
    }
  }
}

function committedRecords(replica: ReplicaLog, highWatermark: number): StoredRecord[] {
  const records: StoredRecord[] = [];
  for (const batch of replica.batches) {
    if (batch.baseOffset >= highWatermark) break;
    if (!batch.control) for (const record of batch.records) if (record.offset < highWatermark) records.push(record);
  }
  return records;
}

/** The consumer's read of the healed cluster must hold exactly the replicas' committed records. */
function compareFinalRead(partition: number, committed: StoredRecord[], finalRead: StoredRecord[], findings: Findings): void {
  const stored = recordsByOffset(committed);
  const read = recordsByOffset(finalRead);
  let mismatches = 0;
  let first = '';
  for (const [offset, value] of read) {
    if (stored.get(offset) !== value) {
      if (mismatches++ === 0) first = `offset ${offset}: read ${value}, replicas hold ${stored.get(offset) ?? 'nothing'}`;
    }
  }
  for (const [offset, value] of stored) {
    if (!read.has(offset)) {
      if (mismatches++ === 0) first = `offset ${offset}: replicas hold ${value}, the final read skipped it`;
    }
  }
  if (mismatches > 0) findings.note('divergent', `p${partition} final read disagrees with the replicas at ${mismatches} offsets; first ${first}`, mismatches);
}

function recordsByOffset(records: readonly StoredRecord[]): Map<number, string> {
  return new Map(records.map((r) => [r.offset, r.value]));
}

function countDuplicates(committed: ReadonlyArray<Map<number, string>>, findings: Findings): void {
  const seen = new Map<string, string>();
  committed.forEach((records, partition) => {
    for (const [offset, value] of records) {
      const where = `p${partition}@${offset}`;
      const earlier = seen.get(value);
      if (earlier !== undefined) findings.note('duplicated', `${value} at ${earlier} and ${where}`);
      else seen.set(value, where);
    }
  });
}

function checkAcks(history: ChaosHistory, committed: ReadonlyArray<Map<number, string>>, findings: Findings): void {
  const present = new Map<string, number>();
  committed.forEach((records, partition) => {
    for (const value of records.values()) present.set(value, partition);
  });
  for (const ack of history.acks) {
    const stored = committed[ack.partition]?.get(ack.offset);
    if (stored === ack.value) continue;
    if (!present.has(ack.value)) {
      findings.note('lost', `${ack.value} acknowledged at p${ack.partition}@${ack.offset}, which now holds ${stored ?? 'nothing'}`);
    } else {
      findings.note('divergent', `${ack.value} acknowledged at p${ack.partition}@${ack.offset}, which now holds ${stored ?? 'nothing'}`);
    }
  }
}

function checkObservations(history: ChaosHistory, committed: ReadonlyArray<Map<number, string>>, findings: Findings): void {
  const lastSeen = new Map<string, number>();
  for (const seen of history.observations) {
    const stored = committed[seen.partition]?.get(seen.offset);
    if (stored !== seen.value) {
      findings.note('divergent', `consumer ${seen.consumer} read ${seen.value} at p${seen.partition}@${seen.offset}, which now holds ${stored ?? 'nothing'}`);
    }
    const session = `${seen.consumer}/${seen.partition}`;
    const previous = lastSeen.get(session);
    if (previous !== undefined && seen.offset <= previous) {
      findings.note('divergent', `consumer ${seen.consumer} read p${seen.partition}@${seen.offset} after @${previous}: offsets went backwards`);
    }
    lastSeen.set(session, seen.offset);
  }
}

function checkSendOrder(history: ChaosHistory, committed: ReadonlyArray<Map<number, string>>, findings: Findings): void {
  const acked = new Map(history.acks.map((ack) => [ack.value, ack]));
  committed.forEach((records, partition) => {
    const latestSent = new Map<number, Ack>();
    for (const offset of [...records.keys()].sort((a, b) => a - b)) {
      const ack = acked.get(records.get(offset)!);
      if (ack === undefined) continue;
      const latest = latestSent.get(ack.producer);
      if (latest !== undefined && ack.sendIndex < latest.sendIndex) {
        findings.note('reordered', `p${partition}@${offset} holds ${ack.value}, which producer ${ack.producer} sent before ${latest.value}, stored earlier`);
      } else {
        latestSent.set(ack.producer, ack);
      }
    }
  });
}
