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
});
