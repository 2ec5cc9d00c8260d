import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { waitFor } from '@gregor/testkit';
import { acceptsConnections, freeLoopbackPort } from './free-port';

const KEPT_OUTPUT_LINES = 40;
const STOP_GRACE_MS = 5000;

/** A peer server child process on a loopback port, with a temporary data directory it owns. */
export class ServerProcess {
  private readonly output: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dataDir: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const keep = (chunk: Buffer): void => {
      this.output.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      this.output.splice(0, Math.max(0, this.output.length - KEPT_OUTPUT_LINES));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /**
   * Starts `command` with the arguments `argsFor(port, dataDir)` and waits
   * until the port accepts connections; on failure the process is killed and
   * the directory removed.
   */
  static async start(name: string, command: string, argsFor: (port: number, dataDir: string) => string[], startTimeoutMs = 15000): Promise<ServerProcess> {
    const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), `gregor-bench-${name}-`));
    const port = await freeLoopbackPort();
    const child = spawn(command, argsFor(port, dataDir), { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(name, child, port, dataDir);
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => reject(new Error(`${name} exited (code ${code}, signal ${signal}) while starting`)));
        waitFor(() => acceptsConnections(port), startTimeoutMs, `${name} to accept connections on ${port}`).then(() => resolve(), reject);
      });
    } catch (err) {
      await server.stop();
      throw new Error(`${(err as Error).message}\n${server.output.join('\n')}`);
    }
    return server;
  }

  /** SIGTERM, SIGKILL after a grace period, then removes the data directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const grace = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(grace);
    }
    await fs.promises.rm(this.dataDir, { recursive: true, force: true });
  }
}
