import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { BrokerProcess, startBroker } from '@gregor/testkit';
import { buildProgram } from '@gregor/cli';
import { Connection } from '@gregor/client';
import { CompressionType, decodeBatch, iterateBatches } from '@gregor/records';
import { CliResult, runGregor } from './helpers/run-gregor';

/** The built `gregor` command as a child process. */
function gregor(args: string[], options: { input?: string; broker?: string } = {}): Promise<CliResult> {
  return runGregor(args, options.broker ? { GREGOR_BROKER: options.broker } : {}, options.input ?? '');
}

// Each command is a process start (about a second on a busy machine).
jest.setTimeout(90000);

describe('gregor CLI', () => {
  let broker: BrokerProcess;
  let run: (args: string[], input?: string) => Promise<CliResult>;

  beforeAll(async () => {
    broker = await startBroker();
    run = (args, input) => gregor(args, { input, broker: broker.address });
  });

  afterAll(async () => {
    await broker?.cleanup();
  });

  it('has --help on every command', async () => {
    const visit = (command: Command, names: string[]): string[][] => [names, ...command.commands.flatMap((c) => visit(c, [...names, c.name()]))];
    const paths = visit(buildProgram(), []).map((p) => p.join(' '));
    expect(paths).toEqual(expect.arrayContaining([
      'broker start', 'topic create', 'topic list', 'topic describe', 'topic alter', 'topic delete',
      'produce', 'consume', 'offsets', 'group describe', 'group list', 'group reset-offsets', 'group delete', 'cluster describe',
    ]));
    for (const names of visit(buildProgram(), [])) {
      const command = names.reduce((c: Command, name) => c.commands.find((s) => s.name() === name)!, buildProgram());
      expect(command.helpInformation()).toMatch(/^Usage: gregor/);
    }
    const result = await gregor(['consume', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: gregor consume \[options\] <topic>/);
  });

  it('documents broker settings with their environment variables and defaults', async () => {
    const help = (await gregor(['broker', 'start', '--help'])).stdout;
    expect(help).toMatch(/--port <value>[\s\S]*GREGOR_PORT[\s\S]*7070/);
    expect(help).toMatch(/--data-dir <value>[\s\S]*GREGOR_DATA_DIR/);
    expect(help).toContain('--config <file>');
  });

  it('runs the README walkthrough: create, produce, consume from the beginning', async () => {
    expect((await run(['topic', 'create', 'walk', '--partitions', '1'])).stdout).toBe('created topic walk with 1 partition(s), 1 replica(s) each\n');
    const produced = await run(['produce', 'walk'], 'hello\nworld\n!\n');
    expect(produced.code).toBe(0);
    expect(produced.stderr).toContain('produced 3 record(s)');
    const consumed = await run(['consume', 'walk', '--from-beginning', '--max', '3']);
    expect(consumed).toMatchObject({ code: 0, stdout: 'hello\nworld\n!\n' });
  });

  it('produces with --key, --partition, --key-separator and --file', async () => {
    await run(['topic', 'create', 'keys', '--partitions', '4']);
    await run(['produce', 'keys', '--key', 'user-1'], 'a\nb\n');
    await run(['produce', 'keys', '--partition', '3'], 'c\n');
    await run(['produce', 'keys', '--key-separator', ':'], 'user-1:d\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-cli-')), 'lines.txt');
    fs.writeFileSync(file, 'e\nf\n');
    await run(['produce', 'keys', '--partition', '3', '--file', file]);
    const json = await run(['consume', 'keys', '--from-beginning', '--max', '6', '--format', 'json']);
    const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const byValue = Object.fromEntries(records.map((r) => [r.value, r]));
    expect(Object.keys(byValue).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(byValue.a.key).toBe('user-1');
    expect(byValue.b.partition).toBe(byValue.a.partition);
    expect(byValue.d).toMatchObject({ key: 'user-1', partition: byValue.a.partition });
    expect([byValue.c.partition, byValue.e.partition, byValue.f.partition]).toEqual([3, 3, 3]);
    expect(byValue.c.key).toBeNull();
  });

  it('keeps the lines of a --file in order within a partition', async () => {
    await run(['topic', 'create', 'ordered', '--partitions', '1']);
    const lines = Array.from({ length: 100_000 }, (_, i) => String(i + 1));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-cli-')), 'numbers.txt');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    expect((await run(['produce', 'ordered', '--file', file])).code).toBe(0);
    const consumed = await run(['consume', 'ordered', '--from-beginning', '--max', String(lines.length), '--format', 'value']);
    const values = consumed.stdout.trim().split('\n');
    const firstOutOfOrder = values.findIndex((value, i) => value !== lines[i]);
    expect({ firstOutOfOrder, at: values[firstOutOfOrder], count: values.length }).toEqual({ firstOutOfOrder: -1, at: undefined, count: lines.length });
  });

  it('consumes from an offset, from a time, and by group with lag', async () => {
    await run(['topic', 'create', 'history']);
    await run(['produce', 'history'], 'r0\nr1\nr2\nr3\n');
    expect((await run(['consume', 'history', '--partition', '0', '--offset', '2', '--max', '2'])).stdout).toBe('r2\nr3\n');
    const offsets = await run(['offsets', 'history', '--json']);
    expect(JSON.parse(offsets.stdout)).toEqual({ partition: 0, earliest: 0, latest: 4 });
    const past = await run(['consume', 'history', '--from-time', new Date(Date.now() - 3600000).toISOString(), '--max', '1']);
    expect(past.stdout).toBe('r0\n');

    expect((await run(['consume', 'history', '--group', 'g', '--from-beginning', '--max', '3'])).stdout).toBe('r0\nr1\nr2\n');
    await run(['produce', 'history'], 'r4\n');
    const described = await run(['group', 'describe', 'g', '--json']);
    expect(JSON.parse(described.stdout)).toMatchObject({
      group: 'g',
      state: 'Empty',
      members: [],
      partitions: [{ topic: 'history', partition: 0, committed: 3, end: 5, lag: 2, memberId: null, clientHost: null, clientId: null }],
    });
    expect((await run(['group', 'describe', 'g'])).stdout).toMatch(/TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID\nhistory\s+0\s+3\s+5\s+2\s+-\s+-\s+-\n/);
    expect((await run(['consume', 'history', '--group', 'g', '--max', '2'])).stdout).toBe('r3\nr4\n');
    expect((await run(['group', 'list'])).stdout).toBe('GROUP  STATE  PROTOCOL TYPE\ng      Empty  consumer\n');
    expect((await run(['group', 'list', '--output', 'json'])).stdout).toBe('{"group":"g","state":"Empty","protocolType":"consumer"}\n');
    expect(JSON.parse((await run(['group', 'describe', 'g', '-o', 'json'])).stdout).partitions).toMatchObject([{ topic: 'history', lag: 0 }]);
  });

  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ])('produces with --compression %s and consumes it back', async (codec, type) => {
    const topic = `compressed-${codec}`;
    await run(['topic', 'create', topic]);
    const produced = await run(['produce', topic, '--compression', codec], 'one\ntwo\nthree\n');
    expect(produced.code).toBe(0);
    const connection = new Connection({ address: broker.address });
    try {
      const { records } = await connection.unary<object, { records: Buffer }>('Log', 'Fetch', { topic, partition: 0, offset: 0, maxBytes: 1 << 20 });
      const compressions = [...iterateBatches(records)].map(({ position }) => decodeBatch(records, position).compression);
      expect(compressions).toEqual([type]);
    } finally {
      connection.close();
    }
    expect(await run(['consume', topic, '--from-beginning', '--max', '3'])).toMatchObject({ code: 0, stdout: 'one\ntwo\nthree\n' });
  });

  it('lists, describes, alters and deletes topics', async () => {
    await run(['topic', 'create', 'admin-cli', '-p', '2', '-c', 'retention.ms=60000']);
    expect((await run(['topic', 'list'])).stdout).toMatch(/admin-cli\s+2/);
    const described = JSON.parse((await run(['topic', 'describe', 'admin-cli', '--json'])).stdout);
    expect(described.configs['retention.ms']).toBe('60000');
    const altered = await run(['topic', 'alter', 'admin-cli', '--set', 'retention.ms=120000', '--set', 'flush.policy=interval']);
    expect(altered.stdout).toContain('retention.ms=120000');
    expect(altered.stdout).toContain('flush.policy=interval');
    const grown = JSON.parse((await run(['topic', 'alter', 'admin-cli', '--partitions', '3', '-o', 'json'])).stdout);
    expect(grown.partitions).toHaveLength(3);
    expect(grown.configs['retention.ms']).toBe('120000');
    const shrink = await run(['topic', 'alter', 'admin-cli', '--partitions', '2']);
    expect(shrink).toMatchObject({ code: 1 });
    expect(shrink.stderr).toMatch(/INVALID_ARGUMENT: topic "admin-cli" has 3 partitions: the new count must be in \[4, /);
    expect((await run(['topic', 'delete', 'admin-cli'])).stdout).toBe('deleted topic admin-cli\n');
    expect((await run(['topic', 'list'])).stdout).not.toContain('admin-cli');
  });

  it('reports errors as the status and a clear message, exiting 1', async () => {
    const missing = await run(['consume', 'nope', '--max', '1']);
    expect(missing).toMatchObject({ code: 1, stderr: 'gregor: NOT_FOUND: unknown topic "nope"\n' });
    const badName = await run(['topic', 'create', 'no/slash']);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/INVALID_ARGUMENT: invalid topic name/);
    const badConfig = await run(['topic', 'create', 'x', '-c', 'retention.ms=soon']);
    expect(badConfig.stderr).toMatch(/INVALID_ARGUMENT: topic config retention.ms must be an integer/);
    const badCodec = await run(['produce', 'x', '--compression', 'brotli'], 'a\n');
    expect(badCodec.code).toBe(1);
    expect(badCodec.stderr).toContain('--compression must be one of none, gzip, snappy, lz4, zstd');
    const badFlag = await run(['consume', 'x', '--max', 'many']);
    expect(badFlag.code).not.toBe(0);
    expect(badFlag.stderr).toContain('expected an integer');
    const noBroker = await gregor(['topic', 'list'], { broker: '127.0.0.1:1' });
    expect(noBroker.code).toBe(1);
    expect(noBroker.stderr).toMatch(/UNAVAILABLE/);
  });
});
