import { Connection } from '@gregor/client';

/** DescribeCluster as cluster mode answers it (issue 5), read defensively: fields may be missing. */
export interface ClusterState {
  controllerId: number;
  brokers: Array<{ id: number; address: string; alive: boolean }>;
  partitions: PartitionState[];
}

export interface PartitionState {
  topic: string;
  partition: number;
  /** 0 while no leader is known. */
  leader: number;
  replicas: number[];
  highWatermark: number;
  /** role as each replica's broker reports it: leader, follower, candidate, preCandidate or unreachable. */
  replicaStates: Array<{ brokerId: number; role: string; logEndOffset: number; lag: number }>;
}

/**
 * A topic's partitions have converged when each has a leader and every replica's log ends at the
 * high watermark. Acknowledged offsets are not required: data an unsafe broker lost never arrives.
 */
export function converged(state: ClusterState, topic: string, partitions: number): boolean {
  const mine = state.partitions.filter((p) => p.topic === topic);
  if (mine.length !== partitions) return false;
  return mine.every(
    (p) =>
      p.leader > 0 &&
      p.replicas.length > 0 &&
      p.replicaStates.length === p.replicas.length &&
      p.replicaStates.every((r) => r.logEndOffset === p.highWatermark),
  );
}

/** Each partition's high watermark, in partition order: equal twice in a row means the topic stands still. */
export function highWatermarkVector(state: ClusterState, topic: string): string {
  return state.partitions
    .filter((p) => p.topic === topic)
    .sort((a, b) => a.partition - b.partition)
    .map((p) => p.highWatermark)
    .join(',');
}

/** Asks brokers for DescribeCluster, one after another until one answers; one connection per broker, reused. */
export class ClusterProbe {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly timeoutMs = 2000) {}

  async describe(addresses: readonly string[]): Promise<ClusterState> {
    let lastError: unknown = new Error('no broker address to ask');
    for (const address of addresses) {
      try {
        const raw = await this.connection(address).unary<object, Partial<ClusterState>>('Admin', 'DescribeCluster', {}, this.timeoutMs);
        return normalize(raw);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /**
   * The leader of a topic's partition: the replica that reports itself leader (the metadata's
   * leader may lag behind an election), else the metadata's; 0 when none is known.
   */
  async leaderOf(addresses: readonly string[], topic: string, partition: number): Promise<number> {
    const state = await this.describe(addresses);
    const found = state.partitions.find((p) => p.topic === topic && p.partition === partition);
    return found?.replicaStates.find((r) => r.role === 'leader')?.brokerId ?? found?.leader ?? 0;
  }

  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  /** A connection to exactly this broker: each broker answers with its own view. */
  private connection(address: string): Connection {
    let connection = this.connections.get(address);
    if (!connection) {
      connection = new Connection({ address, requestTimeoutMs: this.timeoutMs });
      this.connections.set(address, connection);
    }
    return connection;
  }
}

function normalize(raw: Partial<ClusterState>): ClusterState {
  return {
    controllerId: raw.controllerId ?? 0,
    brokers: raw.brokers ?? [],
    partitions: (raw.partitions ?? []).map((p) => ({
      topic: p.topic,
      partition: p.partition ?? 0,
      leader: p.leader ?? 0,
      replicas: p.replicas ?? [],
      highWatermark: Number(p.highWatermark ?? 0),
      replicaStates: (p.replicaStates ?? []).map((r) => ({ brokerId: r.brokerId, role: r.role ?? '', logEndOffset: Number(r.logEndOffset ?? 0), lag: Number(r.lag ?? 0) })),
    })),
  };
}
