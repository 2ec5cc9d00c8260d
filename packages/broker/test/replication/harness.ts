import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Message } from '@gregor/raft';
import { encodeBatch, iterateBatches, decodeBatch, isControlBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { mulberry32 } from '@gregor/testkit';
import { ReplicatedPartition } from '../../src/replication/replicated-partition';
import { ReplicaStateStore } from '../../src/replication/replica-state-store';
import type { RaftTransport } from '../../src/replication/raft-transport';
import { OnVirtualTime, TICK_MS } from './virtual-time';

const GROUP = 'orders/0';

/**
 * Several replicas of one partition in this process, each with its own log directory, joined by
 * an in-memory network that can cut links; Raft ticks run on virtual time (see OnVirtualTime).
 */
export class ReplicaCluster extends OnVirtualTime {
  readonly replicas = new Map<number, ReplicatedPartition>();
  readonly logs = new Map<number, PartitionLog>();
  readonly highWatermarks = new Map<number, number>();
  private readonly cut = new Set<string>();
  private delivering = 0;
  private stopTicks: (() => void) | null = null;
  /** Messages this returns true for are lost, as on a link that drops them. */
  drop: (message: Message) => boolean = () => false;
  /** Told of every move of a replica's high watermark. */
  onHighWatermark: (id: number, hw: number) => void = () => undefined;
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-replication-'));

  constructor(
    readonly ids: number[],
    seed: number,
    private readonly options: Omit<TestReplicaOptions, 'onHighWatermark'> = {},
  ) {
    super(seed);
  }

  async start(): Promise<void> {
    for (const id of this.ids) await this.startReplica(id);
    this.stopTicks = this.clock.every(TICK_MS, () => {
      for (const replica of this.replicas.values()) replica.tick();
    });
  }

  async startReplica(id: number): Promise<void> {
    const transport: RaftTransport = { send: (_group, messages) => this.route(messages) };
    const { log, replica } = await openReplica(this, id, transport, {
      ...this.options,
      onHighWatermark: (hw) => {
        this.highWatermarks.set(id, hw);
        this.onHighWatermark(id, hw);
      },
    });
    this.replicas.set(id, replica);
    this.logs.set(id, log);
  }

  async stopReplica(id: number): Promise<void> {
    this.replicas.get(id)?.stop();
    this.replicas.delete(id);
    await this.logs.get(id)?.close();
    this.logs.delete(id);
  }

  /** Drops replica `id` as a crash would: it takes no more input, and nothing is flushed, closed or marked clean. */
  crashReplica(id: number): void {
    this.replicas.get(id)?.stop();
    this.replicas.delete(id);
    this.logs.delete(id);
  }

  private route(messages: readonly Message[]): void {
    for (const m of messages) {
      if (this.cut.has(`${m.from}>${m.to}`) || this.drop(m)) continue;
      this.delivering++;
      setImmediate(() => {
        this.delivering--;
        this.replicas.get(m.to)?.step(m);
      });
    }
  }

  protected inFlight(): number {
    return this.delivering;
  }

  protected running(): Iterable<ReplicatedPartition> {
    return this.replicas.values();
  }

  isolate(id: number): void {
    for (const other of this.ids) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  leader(): ReplicatedPartition | undefined {
    return [...this.replicas.values()].find((r) => r.isLeader);
  }

  /** Record values of every data batch below `limit`, in offset order. */
  async values(id: number, limit: number): Promise<string[]> {
    const bytes = await this.rawBytes(id, limit);
    const out: string[] = [];
    for (const { position, header } of iterateBatches(bytes)) {
      if (isControlBatch(header.attributes)) continue;
      for (const r of decodeBatch(bytes, position).records) out.push(r.value!.toString());
    }
    return out;
  }

  /** The replica's stored batches below `limit`, exactly as on disk. */
  async rawBytes(id: number, limit: number): Promise<Buffer> {
    const log = this.logs.get(id)!;
    const parts: Buffer[] = [];
    let offset = log.logStartOffset;
    while (offset < limit) {
      const { bytes, nextOffset } = await log.read(offset, 1 << 20, limit);
      if (bytes.length === 0) break;
      parts.push(bytes);
      offset = nextOffset;
    }
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    this.stopTicks?.();
    for (const id of [...this.replicas.keys()]) await this.stopReplica(id);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Where a test cluster keeps its replicas, who votes, and the seed their randomness comes from. */
export interface TestClusterShape {
  readonly root: string;
  readonly ids: number[];
  readonly seed: number;
}

export interface TestReplicaOptions {
  segmentBytes?: number;
  electionTick?: number;
  heartbeatTick?: number;
  onHighWatermark?(hw: number): void;
}

/** Replica `id` of GROUP in its own directory under the cluster's root, new, with the cluster's ids as voters. */
export async function openReplica(
  cluster: TestClusterShape,
  id: number,
  transport: RaftTransport,
  options: TestReplicaOptions = {},
): Promise<{ log: PartitionLog; replica: ReplicatedPartition }> {
  const dir = path.join(cluster.root, `broker-${id}`);
  const log = await PartitionLog.open(dir, { flush: { kind: 'always' }, ...(options.segmentBytes ? { segmentBytes: options.segmentBytes } : {}) });
  const state = ReplicaStateStore.open(dir, { lastIndex: 0, term: 0, config: { voters: cluster.ids, learners: [] } });
  const replica = new ReplicatedPartition({
    group: GROUP,
    brokerId: id,
    log,
    state,
    transport,
    random: mulberry32(cluster.seed * 31 + id),
    electionTick: options.electionTick ?? 10,
    heartbeatTick: options.heartbeatTick ?? 1,
    onHighWatermark: options.onHighWatermark ?? (() => undefined),
  });
  return { log, replica };
}

export function batchOf(...values: string[]): Buffer {
  return encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
}
