import { Prng } from './prng';
import { NodeTiming } from './sim-node';

/** Everything one seed decides about a run. */
export interface Scenario {
  readonly initialVoters: number;
  readonly spareNodes: number;
  readonly timing: NodeTiming;
  readonly tickEvery: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly maxDelay: number;
  readonly maxDiskDelay: number;
  readonly crashRate: number;
  /** Crashing leaders shortly after they win builds the histories of the paper's Figure 8. */
  readonly leaderCrashRate: number;
  readonly partitionRate: number;
  readonly proposeRate: number;
  readonly readRate: number;
  readonly confChangeRate: number;
  readonly transferRate: number;
  readonly compactEvery: number;
  /** Partitions may cut the leader and the learners off from the other voters. */
  readonly membershipSplits: boolean;
}

export function scenarioFor(prng: Prng): Scenario {
  const s = baseScenario(prng);
  // 40% of the runs churn leaders while replicating one small append at a
  // time, so followers acknowledge old-term entries before a new leader's no-op
  // (the histories of the paper's Figure 8).
  if (!prng.chance(0.4)) return prng.chance(0.25) ? membershipChurn(s, prng) : s;
  return {
    ...s,
    initialVoters: 3,
    timing: {
      ...s.timing,
      maxSizePerMsg: 1,
      maxInflightMsgs: 1,
      maxInflightBytes: 1 << 20,
      checkQuorum: s.timing.checkQuorum && prng.chance(0.5),
    },
    transferRate: 0.01,
    partitionRate: 0.02,
    dropRate: Math.max(s.dropRate, 0.05),
    leaderCrashRate: 0.01,
    proposeRate: 0.15,
  };
}

/**
 * Frequent membership changes with spare nodes to add, so learners are often present, and splits
 * along membership lines: where learners' acknowledgements wrongly counted, the leader and its
 * learners would commit what the other voters, who can elect the next leader, never saw.
 */
function membershipChurn(s: Scenario, prng: Prng): Scenario {
  return {
    ...s,
    initialVoters: prng.pick([3, 3, 5]),
    spareNodes: prng.between(2, 3),
    confChangeRate: prng.pick([0.01, 0.03]),
    partitionRate: Math.max(s.partitionRate, 0.005),
    membershipSplits: true,
  };
}

function baseScenario(prng: Prng): Scenario {
  const initialVoters = prng.pick([1, 3, 3, 3, 5, 5]);
  return {
    initialVoters,
    spareNodes: prng.between(0, 2),
    timing: {
      electionTick: prng.between(8, 12),
      heartbeatTick: prng.between(1, 2),
      preVote: prng.chance(0.85),
      checkQuorum: prng.chance(0.85),
      maxSizePerMsg: prng.pick([64, 256, 4096]),
      maxInflightMsgs: prng.between(1, 8),
      maxInflightBytes: prng.pick([60, 200, 1 << 20]),
      maxCommittedSizePerReady: prng.pick([1, 1 << 20]),
      skipRedundantNoop: prng.chance(0.5),
    },
    tickEvery: 4,
    dropRate: prng.pick([0, 0.02, 0.05, 0.15]),
    duplicateRate: prng.pick([0, 0.02, 0.1]),
    maxDelay: prng.between(2, 12),
    maxDiskDelay: prng.between(0, 4),
    crashRate: prng.pick([0, 0.001, 0.003, 0.008]),
    leaderCrashRate: prng.pick([0, 0, 0.005, 0.02]),
    partitionRate: prng.pick([0, 0.002, 0.005, 0.01]),
    proposeRate: prng.pick([0.02, 0.05, 0.15]),
    readRate: prng.pick([0, 0.01, 0.03]),
    confChangeRate: prng.pick([0, 0.002, 0.01]),
    transferRate: prng.pick([0, 0.001, 0.004]),
    compactEvery: prng.pick([3, 10, 40, 1000]),
    membershipSplits: false,
  };
}
