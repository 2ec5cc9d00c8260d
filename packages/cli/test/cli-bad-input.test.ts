import { spawn } from 'child_process';
import { BrokerProcess, CLI_MAIN, startBroker, waitFor } from '@gregor/testkit';
import { CliResult, runGregor } from './helpers/run-gregor';

// Each command is a process start (about a second on a busy machine).
jest.setTimeout(90000);

/** What the CLI says, and how it exits, when asked for something that cannot be done. */
describe('gregor CLI on bad input', () => {
  let broker: BrokerProcess;
  let run: (args: string[], input?: string) => Promise<CliResult>;

  beforeAll(async () => {
    broker = await startBroker();
    run = (args, input) => runGregor(args, { GREGOR_BROKER: broker.address }, input ?? '');
    expect((await run(['topic', 'create', 'one'])).code).toBe(0);
    expect((await run(['produce', 'one'], 'a\nb\n')).code).toBe(0);
  });

  const leftovers: number[] = [];

  afterAll(async () => {
    for (const pid of leftovers) {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await broker?.cleanup();
  });

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Starts `gregor consume one` under `sh`, as npx runs it; resolves with the consumer's pid once it has printed the topic. */
  async function consumerUnderShell(): Promise<{ shell: ReturnType<typeof spawn>; pid: number }> {
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${CLI_MAIN}" consume one --from-beginning & echo $!; wait`], {
      env: { ...process.env, GREGOR_BROKER: broker.address },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    shell.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const pid = Number(await waitFor(() => /^(\d+)\na\nb\n/.exec(out)?.[1], 15_000, 'the consumer to print the topic'));
    leftovers.push(pid);
    return { shell, pid };
  }

  it('fails at once on an offset past the end of the log, naming its start and end', async () => {
    const result = await run(['consume', 'one', '--offset', '99999999999', '--partition', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gregor: OUT_OF_RANGE: offset 99999999999 is out of range for one-0: log start offset 0, end offset 2\n$/);
  });

  it('reports a partition the topic does not have as NOT_FOUND on produce and consume alike', async () => {
    const produced = await run(['produce', 'one', '--partition', '5'], 'x\n');
    const consumed = await run(['consume', 'one', '--partition', '5']);
    expect(produced.code).toBe(1);
    expect(consumed.code).toBe(1);
    expect(produced.stderr).toContain('NOT_FOUND: unknown partition 5 of topic "one"');
    expect(consumed.stderr).toContain('NOT_FOUND: unknown partition 5 of topic "one"');
  });

  it('reports an unknown group as NOT_FOUND', async () => {
    const result = await run(['group', 'describe', 'nosuchgroup']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('NOT_FOUND: unknown group "nosuchgroup"');
  });

  it('refuses a topic alter with nothing to change', async () => {
    const result = await run(['topic', 'alter', 'one']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('INVALID_ARGUMENT: nothing to alter');
    const internal = await run(['topic', 'alter', '__consumer_offsets', '--partitions', '9']);
    expect(internal.code).toBe(1);
    expect(internal.stderr).toContain('INVALID_ARGUMENT: cannot add partitions to topic "__consumer_offsets"');
  });

  it('fails at once on a record larger than a request may be, naming the limits', async () => {
    const started = Date.now();
    const result = await run(['produce', 'one'], 'x'.repeat(9 * 1024 * 1024) + '\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gregor: RESOURCE_EXHAUSTED: produce request of \d+ bytes is larger than the broker accepts \(8454144 bytes/);
    expect(result.stderr).toContain('--max-request-bytes');
    expect(result.stderr).toContain('max.message.bytes');
    // The producer used to retry until its 60 s delivery timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('stops a consumer on SIGTERM, and when the process that started it is gone', async () => {
    const direct = await consumerUnderShell();
    process.kill(direct.pid, 'SIGTERM');
    await waitFor(() => !alive(direct.pid), 15_000, 'the consumer to exit on SIGTERM');

    // npx forwards SIGTERM to its shell, which dies without passing it on.
    const orphaned = await consumerUnderShell();
    orphaned.shell.kill('SIGTERM');
    await waitFor(() => !alive(orphaned.pid), 15_000, 'the orphaned consumer to exit');
  });
});
