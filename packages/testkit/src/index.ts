/**
 * @gregor/testkit: for tests and benchmarks only. Broker child processes,
 * polling with deadlines, seeded randomness.
 */
export { startBroker, BrokerProcess, CLI_MAIN, type StartBrokerOptions, type BrokerExit } from './broker-process';
export { waitFor } from './wait-for';
export { mulberry32, randomInt, randomBytes, testSeed } from './prng';
export { FaultProxy, type FaultProxyOptions, type ProxyDirection, type ProxyState } from './fault-proxy';
