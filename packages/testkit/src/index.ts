/**
 * @gregor/testkit: for tests and benchmarks only. Broker child processes, local clusters behind fault proxies, the chaos harness and its checker,
 * polling with deadlines, seeded randomness.
 */
export { startBroker, BrokerProcess, type StartBrokerOptions, type BrokerExit } from './broker-process';
export { CLI_MAIN, GREGOR_BROKER, ACK_BEFORE_REPLICATION_BROKER, LEARNERS_COUNT_TOWARD_COMMIT_BROKER, type BrokerProgram } from './broker-program';
export { waitFor } from './wait-for';
export { VirtualClock } from './virtual-clock';
export { advanceUntil, quietened, type AdvanceOptions } from './advance-until';
export { mulberry32, randomInt, randomBytes, testSeed } from './prng';
export { FaultProxy, type FaultProxyOptions, type ProxyDirection, type ProxyState } from './fault-proxy';
export { startCluster, LocalCluster, peerList, defaultControllers, type ClusterOptions, type SharedBrokerOptions } from './cluster';
export { freePorts } from './free-ports';
export { parsePrometheus, sampleValue, type PrometheusSample } from './prometheus';
export { runConsoleCommand, CONSOLE_HELP, type ConsoleCluster } from './cluster-console';
export { checkHistory } from './chaos/checker';
export type { Ack, Observation, StoredRecord, ReplicaBatch, ReplicaLog, ChaosHistory, CheckResult } from './chaos/history';
export { FAULT_KINDS, planFaults, targetsFor, type FaultKind, type PlannedFault, type ScheduleOptions } from './chaos/schedule';
export { readReplicaLogs, readReplicaLog, partitionDirs } from './chaos/replica-reader';
export { ClusterProbe, converged, type ClusterState, type PartitionState } from './chaos/cluster-probe';
export { runChaos, summaryLine, replayCommand, CHAOS_TOPIC, type ChaosOptions, type ChaosResult } from './chaos/run-chaos';
export { runFuzz, type FuzzOptions, type FuzzReport, type FuzzTarget, type UntypedAnswer } from './fuzz/run-fuzz';
export { fuzzCluster, fuzzTargets, FUZZED_CLIENT_SERVICES, FUZZED_PEER_SERVICES, REFERENCE_TOPIC, type FuzzClusterOptions, type FuzzClusterResult } from './fuzz/fuzz-cluster';
export { GroupMemberProcess, type GroupMemberOptions, type ProcessedRecord } from './group-member-process';
export { readAll } from './chaos/workload';
