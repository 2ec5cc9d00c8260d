/**
 * `node learners-count-toward-commit.js start <gregor broker start flags>`: a broker whose
 * partition leaders count learners (replicas still catching up during a move) toward the commit
 * quorum, so the chaos harness with --moves can show it catches the acknowledged writes such a
 * broker loses. Built only into testkit, so no production broker can be switched into it.
 */
import { Broker, ReplicatedPartition } from '@gregor/broker';
import { brokerCommand } from '@gregor/cli';
import { SAFE_BEHAVIOUR, type ConfState } from '@gregor/raft';

const LEARNERS_COUNT = { ...SAFE_BEHAVIOUR, commitQuorum: (config: ConfState) => [...config.voters, ...config.learners] };

brokerCommand((config, logger, wiring) => Broker.start(config, logger, { ...wiring, createReplica: (options) => new ReplicatedPartition({ ...options, behaviour: LEARNERS_COUNT }) }))
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`learners-count-toward-commit: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
