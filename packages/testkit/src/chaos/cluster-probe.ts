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
  replicaStates: Array<{ brokerId: number; logEndOffset: number; lag: number }>;
}

/** A topic's partitions have converged when each has a leader and every replica's log ends at the high watermark. */
export function converged(state: ClusterState, topic: string, partitions: number, minHighWatermarks: ReadonlyMap<number, number>): boolean {
  const mine = state.partitions.filter((p) => p.topic === topic);
  if (mine.length !== partitions) return false;
  return mine.every(
    (p) =>
      p.leader > 0 &&
      p.highWatermark >= (minHighWatermarks.get(p.partition) ?? 0) &&
      p.replicaStates.length === p.replicas.length &&
      p.replicas.length > 0 &&
      p.replicaStates.every((r) => r.logEndOffset === p.highWatermark),
  );
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

  /** The leader of a topic's partition as some live broker sees it; 0 when none is known. */
  async leaderOf(addresses: readonly string[], topic: string, partition: number): Promise<number> {
    const state = await this.describe(addresses);
    return state.partitions.find((p) => p.topic === topic && p.partition === partition)?.leader ?? 0;
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
      replicaStates: (p.replicaStates ?? []).map((r) => ({ brokerId: r.brokerId, logEndOffset: Number(r.logEndOffset ?? 0), lag: Number(r.lag ?? 0) })),
    })),
  };
}
