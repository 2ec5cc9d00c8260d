import { Entry, MemoryStorage, Message, NodeId, RaftBehaviour, RaftNode, ReadState, Snapshot } from '../src';

export interface ClusterOptions {
  learners?: NodeId[];
  electionTick?: number;
  heartbeatTick?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
  /** TEST-ONLY: a node that breaks a safety rule (default: the shipped behaviour). */
  behaviour?: RaftBehaviour;
  /** Election-timeout jitter per node in [0, 1); 0 (timeout = electionTick) unless given. */
  jitter?: (id: NodeId) => number;
}

/**
 * Nodes wired by hand for scenario tests: nothing moves until the test ticks,
 * delivers or stabilizes. Randomness is fixed (0 unless `jitter` says), so by
 * default every election timeout is exactly electionTick ticks.
 */
export class TestCluster {
  readonly storages = new Map<NodeId, MemoryStorage>();
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly applied = new Map<NodeId, Entry[]>();
  readonly readStates = new Map<NodeId, ReadState[]>();
  /** Messages sent and not yet delivered, in send order. */
  inFlight: Message[] = [];
  private readonly isolated = new Set<NodeId>();

  constructor(readonly voters: NodeId[], readonly opts: ClusterOptions = {}) {
    for (const id of [...voters, ...(opts.learners ?? [])]) {
      this.storages.set(id, new MemoryStorage(this.genesis()));
      this.start(id);
    }
  }

  private genesis(): Snapshot {
    const config = { voters: this.voters, learners: this.opts.learners ?? [] };
    return { meta: { lastIndex: 0, term: 0, config }, data: new Uint8Array(0) };
  }

  /**
   * Add a node that is not yet a member. It starts from the group's genesis
   * (the same initial configuration at index 0), as a joining replica must
   * unless the leader sends it a snapshot.
   */
  addNode(id: NodeId): void {
    this.storages.set(id, new MemoryStorage(this.genesis()));
    this.start(id);
  }

  node(id: NodeId): RaftNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`node ${id} is down`);
    return n;
  }

  raft(id: NodeId): RaftNode['raft'] {
    return this.node(id).raft;
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) this.node(id).tick();
    this.process(id);
  }

  campaign(id: NodeId): void {
    this.node(id).campaign();
    this.process(id);
  }

  propose(id: NodeId, text: string, count = 1): Entry {
    const e = this.node(id).propose(new TextEncoder().encode(text), count);
    this.process(id);
    return e;
  }

  /** Run every node's Ready cycle: persist, queue messages, apply, advance. */
  processAll(): void {
    for (const id of this.nodes.keys()) this.process(id);
  }

  process(id: NodeId): void {
    const node = this.nodes.get(id);
    const storage = this.storages.get(id) as MemoryStorage;
    while (node !== undefined && node.hasReady()) {
      const rd = node.ready();
      if (rd.hardState !== undefined) storage.setHardState(rd.hardState);
      if (rd.snapshotToPersist !== undefined) storage.applySnapshot(rd.snapshotToPersist);
      storage.append(rd.entriesToPersist);
      this.inFlight.push(...rd.messages, ...rd.messagesAfterPersist);
      this.applied.get(id)?.push(...rd.committedEntries);
      this.readStates.get(id)?.push(...rd.readStates);
      node.advance();
    }
  }

  /** Take (remove) the in-flight messages that match. */
  take(filter: (m: Message) => boolean = () => true): Message[] {
    const taken = this.inFlight.filter(filter);
    this.inFlight = this.inFlight.filter((m) => !filter(m));
    return taken;
  }

  deliver(msgs: readonly Message[]): void {
    for (const m of msgs) {
      if (this.isolated.has(m.from) || this.isolated.has(m.to)) continue;
      const to = this.nodes.get(m.to);
      if (to === undefined) continue;
      to.step(m);
      this.process(m.to);
      // Like a transport that reports when a snapshot has been handed over.
      if (m.type === 'snapshot') this.nodes.get(m.from)?.reportSnapshot(m.to, true);
    }
  }

  /** Deliver everything, including what that provokes, until the network is quiet. */
  stabilize(): void {
    this.processAll();
    for (let round = 0; this.inFlight.length > 0; round++) {
      if (round > 1000) throw new Error('cluster does not stabilize');
      this.deliver(this.take());
    }
  }

  /** Elect `id` and let the cluster settle. */
  elect(id: NodeId): void {
    this.campaign(id);
    this.stabilize();
    if (this.raft(id).role !== 'leader') throw new Error(`node ${id} did not become leader`);
  }

  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  heal(): void {
    this.isolated.clear();
  }

  crash(id: NodeId): void {
    this.nodes.delete(id);
  }

  restart(id: NodeId): void {
    this.start(id);
  }

  /** The node's log as "first-last@term" strings. */
  logOf(id: NodeId): string[] {
    const log = this.raft(id).log;
    return log.slice(log.snapshotIndex(), log.lastIndex(), Infinity).map((e) => `${e.firstIndex}-${e.lastIndex}@${e.term}`);
  }

  appliedOf(id: NodeId): string[] {
    const dec = new TextDecoder();
    return (this.applied.get(id) ?? []).filter((e) => e.type === 'normal').map((e) => dec.decode(e.data));
  }

  private start(id: NodeId): void {
    const o = this.opts;
    this.nodes.set(
      id,
      new RaftNode({
        id,
        storage: this.storages.get(id) as MemoryStorage,
        electionTick: o.electionTick ?? 10,
        heartbeatTick: o.heartbeatTick ?? 1,
        preVote: o.preVote ?? false,
        checkQuorum: o.checkQuorum ?? false,
        maxSizePerMsg: o.maxSizePerMsg,
        maxInflightMsgs: o.maxInflightMsgs,
        random: () => o.jitter?.(id) ?? 0,
      }, o.behaviour),
    );
    this.applied.set(id, []);
    this.readStates.set(id, []);
  }
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
