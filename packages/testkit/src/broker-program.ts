import * as path from 'path';

/** The built CLI entry point (run `npm run build` first). Same path from src/ and dist/. */
export const CLI_MAIN = path.resolve(__dirname, '../../cli/dist/main.js');

/** A built script that runs one broker, and the arguments that precede its `gregor broker start` flags. */
export interface BrokerProgram {
  readonly main: string;
  readonly command: readonly string[];
}

/** `gregor broker start`: the broker as shipped. */
export const GREGOR_BROKER: BrokerProgram = { main: CLI_MAIN, command: ['broker', 'start'] };

/** A broker whose leaders acknowledge acks=all before a majority holds the batch (unsafe/ack-before-replication.ts). */
export const ACK_BEFORE_REPLICATION_BROKER: BrokerProgram = {
  main: path.resolve(__dirname, '../../testkit/dist/unsafe/ack-before-replication.js'),
  command: ['start'],
};

/** A broker whose partition leaders count learners toward the commit quorum (unsafe/learners-count-toward-commit.ts). */
export const LEARNERS_COUNT_TOWARD_COMMIT_BROKER: BrokerProgram = {
  main: path.resolve(__dirname, '../../testkit/dist/unsafe/learners-count-toward-commit.js'),
  command: ['start'],
};
