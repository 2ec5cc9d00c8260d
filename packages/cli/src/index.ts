/**
 * @gregor/cli: the `gregor` command. `buildProgram()` returns it unparsed (for embedding and tests);
 * `brokerCommand(start)` is `gregor broker` running a broker that `start` builds.
 */
export { buildProgram } from './program';
export { brokerCommand, type BrokerWiring, type StartBroker } from './commands/broker';
