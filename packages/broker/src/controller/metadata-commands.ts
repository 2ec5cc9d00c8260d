/**
 * Commands of the replicated cluster-metadata log (`__cluster_metadata/0`). Each committed command
 * is applied, in log order, to the ClusterState of every broker. Commands carry everything they
 * need (ids, times), so applying one is deterministic on every replica. They travel as JSON: the
 * metadata log is small and far from the record hot path.
 */
export interface PartitionAssignment {
  /** Brokers holding a replica; the first is the preferred leader. */
  replicas: number[];
  /** The last leader a replica reported (0 while none has), with the Raft term it won. */
  leader: number;
  leaderTerm: number;
  /** A move in progress: set by reassignPartitions, cleared once the partition's Raft group is the target. */
  reassignment?: Reassignment;
}

export interface Reassignment {
  /** The replica list the partition moves to; its first broker becomes the preferred leader. */
  target: number[];
  /** Every broker that held or is to hold a replica since the move began: each keeps its replica until the move ends. */
  involved: number[];
  /** Caps what the leader sends to catching-up replicas, in bytes per second; 0 for no cap. */
  throttleBytesPerSec: number;
  startedAt: number;
  /** Cancelled: the target is the list the move started from. */
  cancelled: boolean;
}

/** One partition's requested move. */
export interface PartitionMove {
  topicId: string;
  partition: number;
  target: number[];
}

export interface ClusterTopic {
  name: string;
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
  createdAt: number;
  assignments: PartitionAssignment[];
}

export interface BrokerRecord {
  id: number;
  address: string;
  /** Fenced brokers missed their heartbeats: they host no new replicas and clients are told they are down. */
  fenced: boolean;
  registeredAt: number;
  /** Where other brokers reach its peer service; absent for brokers registered before brokers could join. */
  peerAddress?: string;
  rack?: string;
  /** Where the broker's front ends (e.g. kafka) listen, by name; absent when it runs none. */
  listeners?: Record<string, string>;
  /** Decommissioned: it takes no new replicas, and once it holds none it is removed and can be stopped. */
  decommissioned?: boolean;
}

export type MetadataCommand =
  | { type: 'initCluster'; clusterId: string }
  | { type: 'registerBroker'; id: number; address: string; peerAddress?: string; rack?: string; listeners?: Record<string, string>; time: number }
  | { type: 'fenceBroker'; id: number; fenced: boolean }
  | { type: 'createTopic'; topic: ClusterTopic }
  | { type: 'deleteTopic'; name: string }
  | { type: 'alterTopicConfigs'; name: string; configs: Record<string, string> }
  /** New partitions at the end of a topic that has `from` now; applied only if it still has. */
  | { type: 'addPartitions'; name: string; topicId: string; from: number; assignments: PartitionAssignment[] }
  | { type: 'partitionLeader'; topicId: string; partition: number; leader: number; term: number }
  | { type: 'allocateProducerIds'; count: number }
  /** Starts every move or none: each target must be new, duplicate-free and on live brokers. */
  | { type: 'reassignPartitions'; moves: PartitionMove[]; throttleBytesPerSec: number; time: number }
  | { type: 'cancelReassignment'; topicId: string; partition: number }
  /** The partition leader reports that its Raft group is the target: the move ends. */
  | { type: 'completeReassignment'; topicId: string; partition: number; replicas: number[] }
  /** Marks a broker decommissioned and starts the moves that take every replica off it, together. */
  | { type: 'decommissionBroker'; id: number; moves: PartitionMove[]; time: number }
  | { type: 'cancelDecommission'; id: number }
  /** Moves the metadata log's voters from `from` (as its leader saw them) to `target`: one broker more or fewer. */
  | { type: 'changeControllers'; from: number[]; target: number[] }
  /** The metadata leader reports that the voters are the target: the change ends. */
  | { type: 'completeControllerChange'; target: number[] };

export type CommandResult =
  | { ok: true; value?: number }
  | { ok: false; code: string; message: string };

const TYPES = new Set<MetadataCommand['type']>([
  'initCluster',
  'registerBroker',
  'fenceBroker',
  'createTopic',
  'deleteTopic',
  'alterTopicConfigs',
  'addPartitions',
  'partitionLeader',
  'allocateProducerIds',
  'reassignPartitions',
  'cancelReassignment',
  'completeReassignment',
  'decommissionBroker',
  'cancelDecommission',
  'changeControllers',
  'completeControllerChange',
]);

/** A command from the log or a peer, or null when the bytes are not one. */
export function parseCommand(text: string): MetadataCommand | null {
  try {
    const value = JSON.parse(text) as { type?: unknown };
    return value && typeof value === 'object' && TYPES.has(value.type as MetadataCommand['type']) ? (value as MetadataCommand) : null;
  } catch {
    return null;
  }
}
