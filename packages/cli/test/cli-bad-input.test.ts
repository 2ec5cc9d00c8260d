import { BrokerProcess, startBroker } from '@gregor/testkit';
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

  afterAll(async () => {
    await broker?.cleanup();
  });

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
});
