import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrokerProgram, GREGOR_BROKER } from './broker-program';
import { freePorts } from './free-ports';

export interface StartBrokerOptions {
  /** Default: a fresh temporary directory, removed by cleanup(). */
  dataDir?: string;
  /** Default 0: an ephemeral port (kept across restarts). */
  port?: number;
  /** The peer service's port (--peer-port). Default 0: an ephemeral port (kept across restarts). */
  peerPort?: number;
  /** Extra broker flags without dashes, e.g. { 'max-request-bytes': 65536 }. */
  config?: Record<string, string | number>;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Default GREGOR_BROKER; e.g. ACK_BEFORE_REPLICATION_BROKER for a deliberately broken one. */
  program?: BrokerProgram;
  /** Run the Kafka listener on a free port, kept across restarts (default: no Kafka listener). */
  kafka?: boolean;
  /** Run the MQTT listener on a free port, kept across restarts (default: none); mappings go in config['mqtt-map']. */
  mqtt?: boolean;
  /** Run the metrics and health HTTP listener on a free port, kept across restarts (default: none). */
  metrics?: boolean;
  /** Extra node flags, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  startTimeoutMs?: number;
}

export interface BrokerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A broker running as a child process (`gregor broker start`). */
export class BrokerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<BrokerExit> = Promise.resolve({ code: null, signal: null });
  /** Every structured log line the broker wrote to stderr, parsed. */
  readonly logs: Array<Record<string, unknown>> = [];
  port: number;
  peerPort: number;
  /** The Kafka listener's port; 0 when the broker runs none. */
  kafkaPort = 0;
  /** The MQTT listener's port; 0 when the broker runs none. */
  mqttPort = 0;
  /** The metrics and health HTTP listener's port; 0 when the broker runs none. */
  metricsPort = 0;

  constructor(
    readonly dataDir: string,
    private readonly options: StartBrokerOptions,
    private readonly ownsDataDir: boolean,
  ) {
    this.port = options.port ?? 0;
    this.peerPort = options.peerPort ?? 0;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Where Kafka clients reach this broker (host:port); throws unless it runs a Kafka listener. */
  get kafkaAddress(): string {
    if (this.kafkaPort === 0) throw new Error('this broker runs no Kafka listener: start it with kafka: true');
    return `127.0.0.1:${this.kafkaPort}`;
  }

  /** Where other brokers reach this one's peer service. */
  get peerAddress(): string {
    return `127.0.0.1:${this.peerPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Where MQTT clients reach this broker (mqtt://host:port); throws unless it runs an MQTT listener. */
  get mqttUrl(): string {
    if (this.mqttPort === 0) throw new Error('this broker runs no MQTT listener: start it with mqtt: true');
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  /** Where this broker's HTTP listener is (http://host:port); throws unless it runs one. */
  get metricsUrl(): string {
    if (this.metricsPort === 0) throw new Error('this broker runs no metrics listener: start it with metrics: true');
    return `http://127.0.0.1:${this.metricsPort}`;
  }

  /** Launches the process and resolves once it logs `broker.started` with its bound ports. */
  async start(): Promise<void> {
    if (this.running) throw new Error('broker already running');
    const program = this.options.program ?? GREGOR_BROKER;
    // The Kafka, MQTT and metrics ports are chosen here, not by the broker: port 0 turns a listener off.
    if (this.options.kafka && this.kafkaPort === 0) [this.kafkaPort] = await freePorts(1);
    if (this.options.mqtt && this.mqttPort === 0) [this.mqttPort] = await freePorts(1);
    if (this.options.metrics && this.metricsPort === 0) [this.metricsPort] = await freePorts(1);
    const args = [...(this.options.nodeArgs ?? []), program.main, ...program.command, '--data-dir', this.dataDir, '--port', String(this.port), '--peer-port', String(this.peerPort), '--kafka-port', String(this.kafkaPort), '--mqtt-port', String(this.mqttPort), '--metrics-port', String(this.metricsPort)];
    for (const [flag, value] of Object.entries(this.options.config ?? {})) args.push(`--${flag}`, String(value));
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    LIVE_CHILDREN.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        LIVE_CHILDREN.delete(child);
        resolve({ code, signal });
      }),
    );
    const timeoutMs = this.options.startTimeoutMs ?? 20000;
    const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let pending = '';
      const rawLines: string[] = [];
      const timer = setTimeout(() => reject(new Error(`broker did not start within ${timeoutMs} ms:\n${rawLines.join('\n')}`)), timeoutMs);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        pending += text;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          rawLines.push(line);
          let event: Record<string, unknown>;
          try {
            event = JSON.parse(line);
          } catch {
            continue;
          }
          this.logs.push(event);
          if (event.event === 'broker.started') {
            clearTimeout(timer);
            resolve(event);
          }
        }
      });
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`broker exited (code ${exit.code}, signal ${exit.signal}) before starting:\n${rawLines.join('\n')}`));
      });
    });
    this.port = started.port as number;
    this.peerPort = started.peerPort as number;
  }

  /** Sends a signal and resolves when the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<BrokerExit> {
    if (!this.running) return this.exited;
    this.child!.kill(signal);
    return this.exited;
  }

  /** Graceful stop then start on the same port and data directory. */
  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.kill(signal);
    await this.start();
  }

  /** Kills the broker (SIGKILL if still running) and removes a temporary data directory. */
  async cleanup(): Promise<void> {
    await this.kill('SIGKILL');
    if (this.ownsDataDir) await fs.promises.rm(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * Brokers still running when the test process exits (a test that failed before its cleanup) are
 * killed with it, so no broker outlives its test run and keeps a runner waiting.
 */
const LIVE_CHILDREN = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of LIVE_CHILDREN) child.kill('SIGKILL');
});

/** Starts `gregor broker start` as a child process on an ephemeral port. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<BrokerProcess> {
  const dataDir = options.dataDir ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gregor-test-')));
  const broker = new BrokerProcess(dataDir, options, options.dataDir === undefined);
  try {
    await broker.start();
  } catch (err) {
    await broker.cleanup();
    throw err;
  }
  return broker;
}
