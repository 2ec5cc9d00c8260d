import { ConfChange, Message, NodeId, RaftError, Ready } from '../../src';
import { GENESIS_HASH, hashToBytes } from './chain-hash';
import { SafetyChecker } from './checker';
import { Network } from './network';
import { Prng } from './prng';
import { scenarioFor, Scenario } from './scenario';
import { SimNode } from './sim-node';
import { behaviourWith, UnsafeBug } from './unsafe-bugs';

export interface RunOptions {
  readonly seed: number;
  readonly bug?: UnsafeBug;
  /** Virtual time under faults before the network heals and every node restarts. */
  readonly faultSteps?: number;
  /** After healing, a proposal must commit within this much virtual time. */
  readonly livenessSteps?: number;
  readonly trace?: (line: string) => void;
  /** TEST-ONLY: nodes acknowledge entries once written rather than once synced (the old broker). */
  readonly ackUnsynced?: boolean;
}

export interface RunResult {
  readonly seed: number;
  readonly violations: readonly string[];
  readonly steps: number;
  readonly messages: number;
  readonly committed: number;
  readonly coverage: SafetyChecker['coverage'];
}

/** Runs one seed: a safety phase under faults, then a liveness phase on a healed cluster. */
export class World {
  now = 0;
  readonly checker: SafetyChecker;
  readonly nodes: SimNode[] = [];
  private readonly net: Network;
  private readonly faults: Prng;
  private readonly load: Prng;
  private readonly starts: Prng;
  private readonly disk: Prng;
  private readonly restartAt = new Map<NodeId, number>();
  /** Shut down for good: never proposed as a member again. */
  private readonly decommissioned = new Set<NodeId>();
  private nextProposal = 1;
  private nextRead = 1;
  private healedAt = -1;
  /** Proposals numbered at or above this were made after healing. */
  private firstAfterHeal = Infinity;
  private live = false;

  constructor(readonly opts: RunOptions, readonly scenario: Scenario, root: Prng) {
    this.faults = root.fork(1);
    this.load = root.fork(2);
    this.starts = root.fork(3);
    this.disk = root.fork(4);
    this.net = new Network(root.fork(5), {
      dropRate: scenario.dropRate,
      duplicateRate: scenario.duplicateRate,
      minDelay: 1,
      maxDelay: scenario.maxDelay,
    });
    const flush = root.fork(6);
    this.checker = new SafetyChecker(() => this.now, { lastIndex: 1, term: 1, hash: GENESIS_HASH });
    const voters: NodeId[] = [];
    for (let i = 1; i <= scenario.initialVoters; i++) voters.push(i);
    const genesis = { meta: { lastIndex: 1, term: 1, config: { voters, learners: [] } }, data: hashToBytes(GENESIS_HASH) };
    const total = scenario.initialVoters + scenario.spareNodes;
    // Half the runs give some nodes a log flushed on a timer, which a crash cuts back to its last sync.
    // Periods stay under an election timeout: a node acknowledging once per flush with a one-entry
    // window (the Figure 8 runs) could not otherwise keep up with proposals in the liveness phase.
    const someInterval = flush.chance(0.5);
    for (let id = 1; id <= total; id++) {
      const policy = someInterval && flush.chance(0.5) ? flush.between(2, 24) : 'always';
      const initial = id <= scenario.initialVoters ? genesis : undefined;
      const n = new SimNode(id, initial, scenario.timing, behaviourWith(opts.bug), this.checker, scenario.compactEvery, policy, opts.ackUnsynced === true);
      n.start(this.starts);
      this.nodes.push(n);
    }
  }

  run(): RunResult {
    const faultSteps = this.opts.faultSteps ?? 1500;
    const deadline = faultSteps + (this.opts.livenessSteps ?? 1200);
    try {
      for (this.now = 0; this.now < deadline && !this.live && this.checker.violations.length === 0; this.now++) {
        if (this.now === faultSteps) this.heal();
        this.step(this.now < faultSteps);
      }
      if (!this.live && this.checker.violations.length === 0) {
        this.checker.fail(
          `liveness: nothing proposed after healing at t=${this.healedAt} committed by t=${deadline}\n${this.describe()}`,
        );
      }
    } catch (err) {
      const e = err as Error;
      this.checker.fail(`exception: ${e instanceof RaftError ? e.code + ' ' : ''}${e.message}\n${e.stack ?? ''}`);
    }
    return {
      seed: this.opts.seed,
      violations: this.checker.violations,
      steps: this.now,
      messages: this.net.sent,
      committed: this.checker.committedCount(),
      coverage: this.checker.coverage,
    };
  }

  private step(faulty: boolean): void {
    if (!faulty && !this.scenario.timing.checkQuorum && this.now % 50 === 0) this.decommissionRemoved();
    const due = this.net.takeDue(this.now);
    if (due !== undefined) for (const m of due) this.deliver(m);
    for (const n of this.nodes) {
      if (n.node !== undefined && (this.now + n.id) % this.scenario.tickEvery === 0) {
        n.node.tick();
        this.observe(n);
      }
      const flush = n.disk.policy;
      if (n.node !== undefined && flush !== 'always' && (this.now + n.id) % flush === 0) {
        n.sync();
        this.observe(n);
      }
    }
    if (faulty) this.injectFaults();
    this.restartDue();
    this.workload();
    for (const n of this.nodes) this.pump(n);
  }

  private deliver(m: Message): void {
    const to = this.nodes[m.to - 1];
    const ok = to !== undefined && to.node !== undefined && this.net.linkUp(m.from, m.to);
    if (ok) {
      to.node!.step(m);
      this.observe(to);
    }
    if (m.type === 'snapshot') this.nodes[m.from - 1].node?.reportSnapshot(m.to, ok);
  }

  private send(from: SimNode, msgs: readonly Message[]): void {
    for (const m of msgs) {
      if (!this.net.send(m, this.now) && m.type === 'snapshot') from.node?.reportSnapshot(m.to, false);
    }
  }

  /** Move the node's Ready/advance cycle forward: finish a due write, then start the next one. */
  private pump(n: SimNode): void {
    if (n.pending !== undefined && n.pending.due <= this.now) this.complete(n, n.pending.ready);
    while (n.node !== undefined && n.pending === undefined && n.node.hasReady()) {
      const led = n.node.raft.role === 'leader';
      const rd = n.node.ready();
      // Only applying its own removal or demotion takes a node out of leading within ready().
      if (led && rd.softState.role !== 'leader') {
        this.checker.coverage.leadersLeft++;
        this.trace(`leader ${n.id} applied its own removal or demotion and steps down`);
      }
      for (const rs of rd.readStates) this.checker.readServed(n.id, rs.context, rs.index);
      this.send(n, rd.messages);
      const delay = this.disk.int(this.scenario.maxDiskDelay + 1);
      n.pending = { ready: rd, due: this.now + delay };
      if (delay === 0) this.complete(n, rd);
    }
  }

  private complete(n: SimNode, rd: Ready): void {
    n.pending = undefined;
    n.persist(rd);
    this.send(n, rd.messagesAfterPersist);
    n.apply(rd);
    for (const e of rd.committedEntries) {
      if (e.type === 'normal' && this.proposalId(e.data) >= this.firstAfterHeal) this.live = true;
    }
    const node = n.node as NonNullable<typeof n.node>;
    node.advance();
    n.reportSynced();
    n.maybeCompact(node.raft.tracker.config);
    this.observe(n);
  }

  /** Checks after every step a node takes. */
  private observe(n: SimNode): void {
    const raft = n.node!.raft;
    if (raft.role !== 'follower' && !raft.tracker.isVoter(raft.id)) {
      this.checker.fail(`node ${n.id} is ${raft.role} of term ${raft.term} but not a voter in its configuration`);
    }
    if (raft.role === 'leader') {
      if (this.opts.trace !== undefined && n.tracedLeaderTerm !== raft.term) {
        n.tracedLeaderTerm = raft.term;
        this.trace(`node ${n.id} leads term ${raft.term} (last ${raft.log.lastIndex()}, commit ${raft.log.committed})`);
      }
      this.checker.observeLeader(raft);
    }
    const c = raft.log.committed;
    if (c > n.lastCommit) {
      n.lastCommit = c;
      this.checker.observeCommit(n.id, c, raft.log.term(c));
    }
  }

  private injectFaults(): void {
    const s = this.scenario;
    const f = this.faults;
    if (f.chance(s.crashRate)) {
      const up = this.nodes.filter((n) => n.isUp());
      if (up.length > 0) this.crash(f.pick(up), f.between(1, 400));
    }
    if (f.chance(s.leaderCrashRate)) {
      const leader = this.leaderNode();
      if (leader !== undefined) this.crash(leader, f.between(1, 60));
    }
    if (f.chance(s.partitionRate)) this.changePartition();
  }

  private crash(victim: SimNode, downFor: number): void {
    victim.crash(this.faults.chance(0.5));
    this.restartAt.set(victim.id, this.now + downFor);
    this.trace(`crash ${victim.id}`);
  }

  private changePartition(): void {
    const f = this.faults;
    const ids = this.nodes.map((n) => n.id);
    const shuffled = f.shuffle(ids);
    const kind = f.int(this.scenario.membershipSplits ? 5 : 4);
    const leader = kind === 4 ? this.leaderNode() : undefined;
    if (leader !== undefined) {
      const side = [leader.id, ...leader.node!.raft.tracker.config.learners];
      this.net.partition([side, ids.filter((i) => !side.includes(i))], ids);
      this.trace(`split leader and learners ${side} from the other voters`);
      return;
    }
    if (kind === 0 || ids.length < 3) {
      this.net.heal();
      this.trace('heal');
      return;
    }
    if (kind === 1) {
      const leader = this.leader() ?? f.pick(ids);
      this.net.partition([[leader], ids.filter((i) => i !== leader)], ids);
      this.trace(`isolate ${leader}`);
      return;
    }
    const cut = f.between(1, ids.length - 1);
    const a = shuffled.slice(0, cut);
    const b = shuffled.slice(cut);
    if (kind === 2) {
      this.net.partition([a, b], ids);
      this.trace(`split ${a} | ${b}`);
    } else {
      const bridge = f.pick(ids);
      this.net.partition([[...a, bridge], [...b, bridge]], ids);
      this.trace(`bridge ${bridge} over ${a} | ${b}`);
    }
  }

  private restartDue(): void {
    for (const [id, at] of this.restartAt) {
      if (at <= this.now) {
        this.restartAt.delete(id);
        this.nodes[id - 1].start(this.starts);
        this.trace(`restart ${id}`);
      }
    }
  }

  /**
   * Without check-quorum's leader lease, a server that was removed but never
   * learned it keeps starting elections with higher terms and can keep the
   * cluster from committing (Raft thesis §4.2.3). That is a known limit of
   * plain Raft, not a bug, so in such runs the liveness phase shuts down a
   * removed server once every voter of the newest configuration has applied
   * its removal, as an operator would.
   */
  private decommissionRemoved(): void {
    let newest: SimNode | undefined;
    for (const n of this.nodes) if (n.node !== undefined && (newest === undefined || n.applied > newest.applied)) newest = n;
    if (newest === undefined) return;
    const cs = newest.node!.raft.tracker.config;
    // A spare that has not been sent its first snapshot yet knows no configuration.
    if (cs.voters.length === 0) return;
    const members = (id: number): boolean => cs.voters.includes(id) || cs.learners.includes(id);
    for (const n of this.nodes) {
      if (n.node === undefined || members(n.id)) continue;
      const removedEverywhere = cs.voters.every((v) => {
        const config = this.nodes[v - 1].node?.raft.tracker.config;
        return config !== undefined && !config.voters.includes(n.id) && !config.learners.includes(n.id);
      });
      if (removedEverywhere) {
        n.crash(false);
        this.decommissioned.add(n.id);
        this.trace(`decommission ${n.id}`);
      }
    }
  }

  private heal(): void {
    this.healedAt = this.now;
    this.firstAfterHeal = this.nextProposal;
    this.net.heal();
    this.net.faults = { ...this.net.faults, dropRate: 0, duplicateRate: 0 };
    for (const id of [...this.restartAt.keys()]) this.restartAt.set(id, this.now);
    this.trace('heal all, restart all');
  }

  private workload(): void {
    const s = this.scenario;
    const l = this.load;
    if (l.chance(s.proposeRate)) {
      // Clients reach whichever node believes it leads, stale leaders included.
      const leaders = this.nodes.filter((n) => n.node?.raft.role === 'leader');
      const leader = leaders.length > 0 ? l.pick(leaders) : undefined;
      if (leader !== undefined) {
        const id = this.nextProposal++;
        this.tryRaft(() => leader.node!.propose(hashToBytes(id), l.between(1, 3)));
      }
    }
    if (l.chance(s.readRate)) {
      const up = this.nodes.filter((n) => n.isUp());
      if (up.length > 0) {
        const n = l.pick(up);
        const ctx = this.nextRead++;
        this.checker.readIssued(ctx);
        n.node!.readIndex(ctx);
      }
    }
    if (l.chance(s.confChangeRate)) this.changeMembership();
    if (l.chance(s.transferRate)) {
      const leader = this.leaderNode();
      if (leader !== undefined) {
        const others = leader.node!.raft.tracker.config.voters.filter((v) => v !== leader.id);
        if (others.length > 0) this.tryRaft(() => leader.node!.transferLeadership(l.pick(others)));
      }
    }
  }

  private changeMembership(): void {
    const leader = this.leaderNode();
    if (leader === undefined) return;
    const l = this.load;
    const cs = leader.node!.raft.tracker.config;
    const members = new Set([...cs.voters, ...cs.learners]);
    const outsiders = this.nodes.map((n) => n.id).filter((id) => !members.has(id) && !this.decommissioned.has(id));
    const choices: ConfChange[] = [];
    for (const id of outsiders) choices.push({ type: 'addLearner', nodeId: id });
    if (cs.voters.length < 5) for (const id of cs.learners) choices.push({ type: 'addVoter', nodeId: id });
    for (const id of cs.learners) choices.push({ type: 'removeNode', nodeId: id });
    if (cs.voters.length > 3) {
      // The leader among them: it leads until its removal or demotion applies, then hands over.
      for (const id of cs.voters) choices.push({ type: 'removeNode', nodeId: id });
      choices.push({ type: 'addLearner', nodeId: leader.id });
    }
    if (choices.length === 0) return;
    const cc = l.pick(choices);
    this.tryRaft(() => leader.node!.proposeConfChange(cc));
    this.trace(`propose ${cc.type} ${cc.nodeId}`);
  }

  private tryRaft(f: () => void): void {
    try {
      f();
    } catch (err) {
      if (!(err instanceof RaftError) || err.code === 'INVARIANT') throw err;
    }
  }

  private leaderNode(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes) {
      const r = n.node?.raft;
      if (r !== undefined && r.role === 'leader' && (best === undefined || r.term > best.node!.raft.term)) best = n;
    }
    return best;
  }

  private leader(): NodeId | undefined {
    return this.leaderNode()?.id;
  }

  private proposalId(data: Uint8Array): number {
    return data.length === 4 ? new DataView(data.buffer, data.byteOffset, 4).getUint32(0) : 0;
  }

  /** One line per node: enough to see why a run got stuck. */
  describe(): string {
    return this.nodes
      .map((n) => {
        const st = n.node?.status();
        if (st === undefined) return `    node ${n.id}: down`;
        const pr = [...n.node!.raft.tracker.progress].map(([id, p]) => `${id}:${p.state}/m${p.match}/n${p.next}`).join(' ');
        return (
          `    node ${n.id}: ${st.role} term ${st.term} vote ${st.vote} leader ${st.leader} commit ${st.commit} ` +
          `applied ${st.applied} last ${st.lastIndex} voters ${st.config.voters} learners ${st.config.learners} ` +
          `snap ${n.storage.snapshot().meta.lastIndex} pending ${n.pending !== undefined} [${pr}]`
        );
      })
      .join('\n');
  }

  private trace(line: string): void {
    this.opts.trace?.(`t=${this.now} ${line}`);
  }
}

export function runSeed(opts: RunOptions): RunResult {
  const root = new Prng(opts.seed);
  const scenario = scenarioFor(root.fork(0));
  return new World(opts, scenario, root).run();
}
