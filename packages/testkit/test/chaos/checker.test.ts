import { checkHistory } from '../../src/chaos/checker';
import { Ack, ChaosHistory, Observation, ReplicaBatch, ReplicaLog, StoredRecord } from '../../src/chaos/history';
import { mulberry32, randomInt, testSeed } from '../../src/prng';

/** A data batch of `values` at `baseOffset`; its bytes stand in for the stored encoding. */
function batch(baseOffset: number, values: string[]): ReplicaBatch {
  const records = values.map((value, i) => ({ offset: baseOffset + i, value }));
  return { baseOffset, lastOffset: baseOffset + values.length - 1, control: false, bytes: Buffer.from(`${baseOffset}:${values.join(',')}`), records };
}

function control(offset: number): ReplicaBatch {
  return { baseOffset: offset, lastOffset: offset, control: true, bytes: Buffer.from(`noop@${offset}`), records: [] };
}

/** Lays out batches of values from offset 0, one control batch first (the leader's no-op). */
function layout(batches: string[][]): ReplicaBatch[] {
  const out = [control(0)];
  let offset = 1;
  for (const values of batches) {
    out.push(batch(offset, values));
    offset += values.length;
  }
  return out;
}

/** The ack the chaos workload records for `value`, "p<producer>-<n>": the n-th record that producer sent. */
function ack(partition: number, offset: number, value: string): Ack {
  const [, producer, sendIndex] = /^p(\d+)-(\d+)$/.exec(value)!;
  return { partition, offset, value, producer: Number(producer), sendIndex: Number(sendIndex) };
}

function replica(brokerId: number, partition: number, batches: ReplicaBatch[]): ReplicaLog {
  return { brokerId, partition, logStartOffset: 0, batches: batches.map((b) => ({ ...b, bytes: Buffer.from(b.bytes), records: [...b.records] })) };
}

function records(batches: ReplicaBatch[]): StoredRecord[] {
  return batches.flatMap((b) => b.records);
}

function end(batches: ReplicaBatch[]): number {
  return batches[batches.length - 1].lastOffset + 1;
}

/** One partition replicated on brokers 1..3, every record acknowledged and read once. */
function healthy(): ChaosHistory & { acks: Ack[]; observations: Observation[]; replicas: ReplicaLog[] } {
  const log = layout([['p0-0', 'p0-1'], ['p1-0'], ['p0-2', 'p1-1', 'p1-2']]);
  const stored = records(log);
  return {
    partitions: 1,
    acks: stored.map((r) => ack(0, r.offset, r.value)),
    observations: stored.map((r) => ({ consumer: 1, partition: 0, offset: r.offset, value: r.value })),
    replicas: [1, 2, 3].map((id) => replica(id, 0, log)),
    highWatermarks: new Map([[0, end(log)]]),
    finalReads: new Map([[0, stored]]),
  };
}

describe('checkHistory', () => {
  test('a healthy history has no problems', () => {
    expect(checkHistory(healthy())).toEqual({ acked: 6, lost: 0, duplicated: 0, divergent: 0, reordered: 0, problems: [] });
  });

  test('an acknowledged value missing everywhere is lost', () => {
    const history = healthy();
    history.acks.push(ack(0, 7, 'p0-3'));
    const result = checkHistory(history);
    expect(result).toMatchObject({ acked: 7, lost: 1, duplicated: 0, divergent: 0 });
    expect(result.problems[0]).toContain('p0-3 acknowledged at p0@7');
  });

  test('records above the high watermark do not count as stored', () => {
    const history = healthy();
    const hw = history.highWatermarks.get(0)!;
    for (const r of history.replicas) r.batches.push(batch(hw, ['p0-3']));
    history.acks.push(ack(0, hw, 'p0-3'));
    expect(checkHistory(history)).toMatchObject({ lost: 1, divergent: 0 });
  });

  test('a value stored twice is duplicated', () => {
    const log = layout([['p0-0', 'p0-1'], ['p0-1']]);
    const history = { ...healthy(), replicas: [1, 2, 3].map((id) => replica(id, 0, log)), highWatermarks: new Map([[0, end(log)]]), finalReads: new Map([[0, records(log)]]) };
    history.acks = [ack(0, 1, 'p0-0'), ack(0, 2, 'p0-1')];
    history.observations = [];
    const result = checkHistory(history);
    expect(result).toMatchObject({ lost: 0, duplicated: 1, divergent: 0 });
    expect(result.problems).toEqual(['duplicated: p0-1 at p0@2 and p0@3']);
  });

  test('duplicates across partitions count too', () => {
    const history = healthy();
    history.partitions = 2;
    const other = layout([['p0-0']]);
    history.replicas.push(replica(1, 1, other));
    history.highWatermarks = new Map([...history.highWatermarks, [1, end(other)]]);
    expect(checkHistory(history).duplicated).toBe(1);
  });

  test('replicas whose bytes differ below the high watermark diverge; above it they may differ', () => {
    const history = healthy();
    history.replicas[2].batches[2].bytes[0] ^= 1;
    expect(checkHistory(history)).toMatchObject({ lost: 0, duplicated: 0, divergent: 1 });

    const tail = healthy();
    const hw = tail.highWatermarks.get(0)!;
    tail.replicas[0].batches.push(batch(hw, ['x']));
    tail.replicas[1].batches.push(batch(hw, ['y']));
    expect(checkHistory(tail).divergent).toBe(0);
  });

  test('a replica that misses committed data diverges', () => {
    const history = healthy();
    history.replicas[1].batches.pop();
    const result = checkHistory(history);
    expect(result.divergent).toBe(1);
    expect(result.problems[0]).toContain('replica on broker 2 ends at 4, below the high watermark 7');
  });

  test('a gap in a log diverges', () => {
    const history = healthy();
    for (const r of history.replicas) r.batches.splice(2, 1);
    history.acks = history.acks.filter((a) => a.offset !== 3);
    history.observations = history.observations.filter((o) => o.offset !== 3);
    history.finalReads = new Map([[0, records(history.replicas[0].batches)]]);
    const result = checkHistory(history);
    expect(result.divergent).toBe(3);
    expect(result.problems[0]).toContain('gap: batch [4, 6] follows offset 2');
  });

  test('a consumer read that the final log contradicts diverges', () => {
    const history = healthy();
    history.observations[2] = { ...history.observations[2], value: 'ghost' };
    const result = checkHistory(history);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, divergent: 1 });
    expect(result.problems[0]).toBe('divergent: consumer 1 read ghost at p0@3, which now holds p1-0');
  });

  test('a consumer whose offsets go backwards diverges; a new session may start over', () => {
    const history = healthy();
    history.observations.push({ ...history.observations[0] });
    expect(checkHistory(history).divergent).toBe(1);
    const restarted = healthy();
    restarted.observations.push({ ...restarted.observations[0], consumer: 2 });
    expect(checkHistory(restarted).divergent).toBe(0);
  });

  test('an ack at an offset that now holds another value diverges', () => {
    const history = healthy();
    history.acks[0] = { ...history.acks[0], offset: 2 };
    const result = checkHistory(history);
    expect(result).toMatchObject({ lost: 0, divergent: 1 });
  });

  test('a final read that disagrees with the replicas diverges', () => {
    const history = healthy();
    const read = [...history.finalReads.get(0)!];
    read.splice(1, 1);
    history.finalReads = new Map([[0, read]]);
    const result = checkHistory(history);
    expect(result.divergent).toBe(1);
    expect(result.problems[0]).toContain('the final read skipped it');
  });

  test("a producer's acknowledged records stored out of its send order are reordered; producers may interleave", () => {
    const log = layout([['p0-2', 'p0-3'], ['p1-0'], ['p0-0', 'p0-1', 'p1-1']]);
    const stored = records(log);
    const history: ChaosHistory = {
      partitions: 1,
      acks: stored.map((r) => ack(0, r.offset, r.value)),
      observations: [],
      replicas: [1, 2, 3].map((id) => replica(id, 0, log)),
      highWatermarks: new Map([[0, end(log)]]),
      finalReads: new Map([[0, stored]]),
    };
    const result = checkHistory(history);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, divergent: 0, reordered: 2 });
    expect(result.problems[0]).toBe('reordered: p0@4 holds p0-0, which producer 0 sent before p0-3, stored earlier');
  });

  test('a record never acknowledged does not count against the send order', () => {
    const log = layout([['p0-1'], ['p0-0']]);
    const history: ChaosHistory = {
      partitions: 1,
      acks: [ack(0, 1, 'p0-1')],
      observations: [],
      replicas: [1, 2, 3].map((id) => replica(id, 0, log)),
      highWatermarks: new Map([[0, end(log)]]),
      finalReads: new Map(),
    };
    expect(checkHistory(history)).toMatchObject({ lost: 0, duplicated: 0, divergent: 0, reordered: 0 });
    history.acks.push(ack(0, 2, 'p0-0'));
    expect(checkHistory(history).reordered).toBe(1);
  });

  test('without replica logs the final read is the log', () => {
    const history = { ...healthy(), replicas: [], highWatermarks: new Map<number, number>() };
    expect(checkHistory(history)).toMatchObject({ lost: 0, duplicated: 0, divergent: 0 });
    history.acks.push(ack(0, 99, 'p9-9'));
    expect(checkHistory(history).lost).toBe(1);
  });

  test('injected loss, duplication, divergence and reordering in random histories are always reported', () => {
    const seed = testSeed('checker');
    const random = mulberry32(seed);
    for (let round = 0; round < 200; round++) {
      const batches: string[][] = [];
      let seq = 0;
      for (let b = randomInt(random, 2, 8); b > 0; b--) batches.push(Array.from({ length: randomInt(random, 1, 4) }, () => `p0-${seq++}`));
      const log = layout(batches);
      const history: ChaosHistory = {
        partitions: 1,
        acks: records(log).map((r) => ack(0, r.offset, r.value)),
        observations: [],
        replicas: [1, 2, 3].map((id) => replica(id, 0, log)),
        highWatermarks: new Map([[0, end(log)]]),
        finalReads: new Map(),
      };
      expect(checkHistory(history)).toMatchObject({ lost: 0, duplicated: 0, divergent: 0 });

      const victim = randomInt(random, 1, log.length - 1);
      const fault = randomInt(random, 0, 3);
      if (fault === 0) {
        // Every replica forgot an acknowledged batch and the log was renumbered over it.
        const kept = batches.filter((_, i) => i !== victim - 1);
        const shrunk = layout(kept);
        history.replicas = [1, 2, 3].map((id) => replica(id, 0, shrunk));
        history.highWatermarks = new Map([[0, end(shrunk)]]);
        expect(checkHistory(history).lost).toBeGreaterThan(0);
      } else if (fault === 1) {
        const again = layout([...batches, batches[victim - 1]]);
        history.replicas = [1, 2, 3].map((id) => replica(id, 0, again));
        history.highWatermarks = new Map([[0, end(again)]]);
        expect(checkHistory(history).duplicated).toBe(batches[victim - 1].length);
      } else if (fault === 2) {
        const bytes = history.replicas[randomInt(random, 0, 2)].batches[victim].bytes;
        bytes[randomInt(random, 0, bytes.length - 1)] ^= 1 << randomInt(random, 0, 7);
        expect(checkHistory(history).divergent).toBe(history.replicas[0].batches[victim].bytes === bytes ? 2 : 1);
      } else {
        // The producer's batches were stored in another order than sent, and acknowledged where they landed.
        const other = (victim - 1 + randomInt(random, 1, batches.length - 1)) % batches.length;
        const swapped = [...batches];
        [swapped[victim - 1], swapped[other]] = [swapped[other], swapped[victim - 1]];
        const reordered = layout(swapped);
        history.replicas = [1, 2, 3].map((id) => replica(id, 0, reordered));
        history.acks = records(reordered).map((r) => ack(0, r.offset, r.value));
        expect(checkHistory(history)).toMatchObject({ lost: 0, duplicated: 0, divergent: 0 });
        expect(checkHistory(history).reordered).toBeGreaterThan(0);
      }
    }
  });
});
