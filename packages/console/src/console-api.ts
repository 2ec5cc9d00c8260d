import { type Admin, describeGroupLag, type GroupLag, type PartitionLag } from '@gregor/client';

export interface ClusterOverview {
  clusterId: string;
  controllerId: number;
  brokers: Array<{ id: number; address: string; rack: string; state: string; alive: boolean; replicas: number; leaders: number }>;
  partitions: number;
  underReplicated: number;
  offline: number;
}

export interface TopicView {
  name: string;
  internal: boolean;
  /** Sum over partitions of the high watermark: the page charts its rise as throughput. */
  highWatermarks: number;
  partitions: Array<{
    partition: number;
    leader: number;
    replicas: number[];
    logStartOffset: number;
    highWatermark: number;
    replicaStates: Array<{ brokerId: number; role: string; lag: number }>;
  }>;
}

export interface GroupView extends GroupLag {
  /** Records behind over every partition with a commit. */
  totalLag: number;
}

function isInternal(topic: string): boolean {
  return topic.startsWith('_');
}

/** `GET /api/cluster`: brokers, the controller, and partition counts. */
export async function clusterOverview(admin: Admin): Promise<ClusterOverview> {
  const cluster = await admin.describeCluster();
  return {
    clusterId: cluster.clusterId,
    controllerId: cluster.controllerId,
    brokers: cluster.brokers.map((b) => ({
      id: b.id,
      address: `${b.host}:${b.port}`,
      rack: b.rack,
      state: b.state,
      alive: b.alive,
      replicas: b.replicas,
      leaders: cluster.partitions.filter((p) => p.leader === b.id).length,
    })),
    partitions: cluster.partitions.length,
    underReplicated: cluster.partitions.filter((p) => p.replicaStates.some((r) => r.role === 'unreachable' || r.lag > 0)).length,
    offline: cluster.partitions.filter((p) => p.leader === 0).length,
  };
}

/** `GET /api/topics`: every topic with its partitions, their leaders, replicas and each replica's lag. */
export async function topicViews(admin: Admin): Promise<TopicView[]> {
  const [cluster, topics] = await Promise.all([admin.describeCluster(), admin.listTopics()]);
  const views: TopicView[] = [];
  for (const { name } of topics) {
    const description = await admin.describeTopic(name).catch(() => null);
    if (!description) continue;
    const partitions = description.partitions.map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      logStartOffset: p.logStartOffset,
      highWatermark: p.highWatermark,
      replicaStates: (cluster.partitions.find((s) => s.topic === name && s.partition === p.partition)?.replicaStates ?? []).map((r) => ({ brokerId: r.brokerId, role: r.role, lag: r.lag })),
    }));
    views.push({ name, internal: isInternal(name), highWatermarks: partitions.reduce((n, p) => n + Math.max(0, p.highWatermark), 0), partitions });
  }
  return views.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** `GET /api/groups`: every group with its members, their assignments, and lag per partition. */
export async function groupViews(admin: Admin): Promise<GroupView[]> {
  const views: GroupView[] = [];
  for (const listed of await admin.listGroups()) {
    const lag = await describeGroupLag(admin, listed.group).catch(() => null);
    if (lag) views.push({ ...lag, totalLag: lag.partitions.reduce((n: number, p: PartitionLag) => n + (p.lag ?? 0), 0) });
  }
  return views.sort((a, b) => (a.description.group < b.description.group ? -1 : 1));
}

/** `GET /api/reassignments`: moves under way, with each added replica's progress. */
export async function reassignments(admin: Admin): Promise<object[]> {
  const { reassignments: moves } = await admin.listReassignments();
  return moves.map((m) => ({
    topic: m.topic,
    partition: m.partition,
    from: m.replicas,
    to: m.target,
    cancelled: m.cancelled,
    startedAtMs: m.startedAtMs,
    adding: m.adding.map((a) => ({ brokerId: a.brokerId, bytes: a.bytes, totalBytes: a.totalBytes, progress: a.totalBytes > 0 ? Math.min(1, a.bytes / a.totalBytes) : 1 })),
  }));
}
