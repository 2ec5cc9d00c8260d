import { Admin } from '@gregor/client';
import { BrokerProcess, startBroker } from '@gregor/testkit';
import { namingLiveMembers } from '../src/groups/live-members';
import { GroupMember, joinAsConsumer } from './helpers/group-member';
import { CliResult, runGregor } from './helpers/run-gregor';

// Each command is a process start (about a second on a busy machine).
jest.setTimeout(120000);

/** `text` as a regular expression matching itself. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('gregor group describe, reset-offsets and delete', () => {
  let broker: BrokerProcess;
  let admin: Admin;
  let run: (args: string[], input?: string) => Promise<CliResult>;

  const committed = async (group: string) =>
    (await admin.fetchOffsets(group)).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset })).sort((a, b) => a.partition - b.partition);
  const jsonLines = (result: CliResult): unknown[] => result.stdout.trim().split('\n').map((l) => JSON.parse(l));

  beforeAll(async () => {
    broker = await startBroker();
    admin = new Admin({ brokers: broker.address });
    run = (args, input) => runGregor(args, { GREGOR_BROKER: broker.address }, input ?? '');
    await admin.createTopic('orders', { partitions: 3 });
    expect((await run(['produce', 'orders', '--partition', '0'], 'a\nb\nc\n')).code).toBe(0);
  });

  afterAll(async () => {
    admin?.close();
    await broker?.cleanup();
  });

  describe('with a live member', () => {
    let member: GroupMember;

    beforeAll(async () => {
      await admin.commitOffsets('live', [{ topic: 'orders', partition: 0, offset: 1 }, { topic: 'orders', partition: 2, offset: 0 }]);
      member = await joinAsConsumer(broker.address, 'live', 'cli-test', 'orders', [0, 1]);
    });

    afterAll(async () => {
      await member?.leave();
    });

    it('describes state, protocol, the member and who owns each partition, with Kafka\'s dashes where there is no commit or owner', async () => {
      const result = await run(['group', 'describe', 'live', '--output', 'json']);
      expect(result.code).toBe(0);
      const [described] = jsonLines(result);
      const owner = { memberId: member.memberId, clientId: 'cli-test', clientHost: expect.stringContaining('127.0.0.1') };
      expect(described).toEqual({
        group: 'live',
        state: 'Stable',
        generation: member.generation,
        protocolType: 'consumer',
        protocol: 'range',
        leader: member.memberId,
        members: [{ ...owner, groupInstanceId: '', assigned: [{ topic: 'orders', partitions: [0, 1] }] }],
        partitions: [
          { topic: 'orders', partition: 0, committed: 1, end: 3, lag: 2, ...owner },
          { topic: 'orders', partition: 1, committed: null, end: 0, lag: null, ...owner },
          { topic: 'orders', partition: 2, committed: 0, end: 0, lag: 0, memberId: null, clientId: null, clientHost: null },
        ],
      });

      const table = (await run(['group', 'describe', 'live'])).stdout;
      const id = literal(member.memberId);
      expect(table).toMatch(new RegExp(`^GROUP +STATE +GENERATION +PROTOCOL-TYPE +PROTOCOL +#MEMBERS\nlive +Stable +${member.generation} +consumer +range +1\n`));
      expect(table).toMatch(new RegExp(`CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS +ASSIGNMENT\n${id} +\\S*127\\.0\\.0\\.1\\S* +cli-test +2 +orders\\(0,1\\)\n`));
      expect(table).toMatch(/TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID\n/);
      expect(table).toMatch(new RegExp(`\norders +0 +1 +3 +2 +${id} +\\S+ +cli-test\n`));
      expect(table).toMatch(new RegExp(`\norders +1 +- +0 +- +${id} +\\S+ +cli-test\n`));
      expect(table).toMatch(/\norders +2 +0 +0 +0 +- +- +-\n$/);
    });

    it('refuses to reset offsets, dry run or not, naming the live member, and commits nothing', async () => {
      for (const mode of [['--dry-run'], ['--execute'], []]) {
        const result = await run(['group', 'reset-offsets', 'live', '--topic', 'orders', '--to-latest', ...mode]);
        expect({ mode, code: result.code, stdout: result.stdout }).toEqual({ mode, code: 1, stdout: '' });
        expect(result.stderr).toMatch(/^gregor: FAILED_PRECONDITION: cannot reset its offsets: group "live" has 1 live member\(s\): /);
        expect(result.stderr).toContain(`${member.memberId} (client cli-test, host `);
      }
      expect(await committed('live')).toEqual([{ topic: 'orders', partition: 0, offset: 1 }, { topic: 'orders', partition: 2, offset: 0 }]);
    });

    it('refuses to delete the group, naming the live member', async () => {
      const result = await run(['group', 'delete', 'live']);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(/^gregor: FAILED_PRECONDITION: cannot delete it: group "live" has 1 live member\(s\): /);
      expect(result.stderr).toContain(member.memberId);
      expect((await admin.describeGroups(['live']))[0].members.map((m) => m.memberId)).toEqual([member.memberId]);
    });

    it('names the live member when the broker refuses, as it does for a member that joined after the CLI looked', async () => {
      const commit = () => admin.commitOffsets('live', [{ topic: 'orders', partition: 0, offset: 0 }]);
      await expect(commit()).rejects.toMatchObject({ reason: 'UNKNOWN_MEMBER_ID' });
      await expect(admin.deleteGroups(['live'])).rejects.toMatchObject({ reason: 'NON_EMPTY_GROUP' });
      for (const [action, call] of [['reset its offsets', commit], ['delete it', () => admin.deleteGroups(['live'])]] as const) {
        await expect(namingLiveMembers(admin, 'live', action, call)).rejects.toMatchObject({
          code: 'FAILED_PRECONDITION',
          message: expect.stringMatching(new RegExp(`^cannot ${action}: group "live" has 1 live member\\(s\\): ${literal(member.memberId)} \\(client cli-test`)),
        });
      }
      expect(await committed('live')).toEqual([{ topic: 'orders', partition: 0, offset: 1 }, { topic: 'orders', partition: 2, offset: 0 }]);
    });
  });

  it('deletes a group once its members have left, then no longer knows it', async () => {
    await admin.commitOffsets('leaving', [{ topic: 'orders', partition: 0, offset: 2 }]);
    const member = await joinAsConsumer(broker.address, 'leaving', 'cli-test', 'orders', [0]);
    await member.leave();
    expect((await admin.describeGroups(['leaving']))[0]).toMatchObject({ state: 'Empty', members: [] });
    const described = await run(['group', 'describe', 'leaving']);
    expect(described.stdout).toContain("\nConsumer group 'leaving' has no active members.\n");
    expect(described.stdout).toMatch(/\norders +0 +2 +3 +1 +- +- +-\n$/);

    expect(await run(['group', 'delete', 'leaving', '-o', 'json'])).toMatchObject({ code: 0, stdout: '{"group":"leaving","deleted":true}\n' });
    expect(await committed('leaving')).toEqual([]);
    const gone = await run(['group', 'describe', 'leaving']);
    expect(gone).toMatchObject({ code: 1, stdout: '' });
    expect(gone.stderr).toContain('NOT_FOUND: unknown group "leaving"');
    const again = await run(['group', 'delete', 'leaving']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('NOT_FOUND');
  });

  it('plans by default and commits with --execute, in every mode, clamped to the log', async () => {
    await admin.createTopic('resets', { partitions: 2 });
    expect((await run(['produce', 'resets', '--partition', '0'], 'r0\nr1\n')).code).toBe(0);
    expect((await run(['produce', 'resets', '--partition', '1'], 'q0\nq1\n')).code).toBe(0);
    // Records produced from here on are stamped at or after `between`: --to-datetime lands between the two batches.
    const between = new Date(Date.now() + 1).toISOString();
    expect((await run(['produce', 'resets', '--partition', '0'], 'r2\nr3\n')).code).toBe(0);
    const reset = (...args: string[]) => run(['group', 'reset-offsets', 'rg', '--topic', 'resets', ...args]);

    const planned = await reset('--to-earliest');
    expect(planned).toMatchObject({ code: 0, stdout: 'TOPIC   PARTITION  CURRENT  NEW\nresets  0          -        0\nresets  1          -        0\n' });
    expect(planned.stderr).toContain('dry run: nothing committed');
    expect(await committed('rg')).toEqual([]);

    expect((await reset('--to-latest', '--execute')).stdout).toBe('TOPIC   PARTITION  CURRENT  NEW\nresets  0          -        4\nresets  1          -        2\n');
    expect(await committed('rg')).toEqual([{ topic: 'resets', partition: 0, offset: 4 }, { topic: 'resets', partition: 1, offset: 2 }]);

    expect((await reset('--shift-by', '-3', '--dry-run')).stdout).toBe('TOPIC   PARTITION  CURRENT  NEW\nresets  0          4        1\nresets  1          2        0\n');
    expect((await committed('rg')).map((c) => c.offset)).toEqual([4, 2]);

    expect((await reset('--shift-by', '-3', '--execute', '--partitions', '0')).stdout).toBe('TOPIC   PARTITION  CURRENT  NEW\nresets  0          4        1\n');
    expect((await committed('rg')).map((c) => c.offset)).toEqual([1, 2]);

    expect(jsonLines(await reset('--to-offset', '99', '--execute', '-o', 'json'))).toEqual([
      { group: 'rg', topic: 'resets', partition: 0, current: 1, new: 4, executed: true },
      { group: 'rg', topic: 'resets', partition: 1, current: 2, new: 2, executed: true },
    ]);
    expect((await committed('rg')).map((c) => c.offset)).toEqual([4, 2]);

    expect((await reset('--to-datetime', between, '--execute', '--partitions', '0')).stdout).toBe('TOPIC   PARTITION  CURRENT  NEW\nresets  0          4        2\n');
    expect((await committed('rg')).map((c) => c.offset)).toEqual([2, 2]);

    expect((await reset('--to-earliest', '--execute')).stdout).toBe('TOPIC   PARTITION  CURRENT  NEW\nresets  0          2        0\nresets  1          2        0\n');
    expect((await committed('rg')).map((c) => c.offset)).toEqual([0, 0]);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(jsonLines(await reset('--to-datetime', future, '--json'))).toEqual([
      { group: 'rg', topic: 'resets', partition: 0, current: 0, new: 4, executed: false },
      { group: 'rg', topic: 'resets', partition: 1, current: 0, new: 2, executed: false },
    ]);
    expect((await committed('rg')).map((c) => c.offset)).toEqual([0, 0]);
  });

  it.each([
    ['an unknown topic', ['--topic', 'nope', '--to-earliest', '--execute'], /NOT_FOUND: unknown topic "nope"/],
    ['an unknown partition', ['--topic', 'orders', '--partitions', '0,7', '--to-earliest', '--execute'], /NOT_FOUND: unknown partition\(s\) 7 of topic "orders" \(it has 3\)/],
    ['a bad partition list', ['--topic', 'orders', '--partitions', '0,x', '--to-earliest', '--execute'], /--partitions <list>.*expected an integer/],
    ['a bad datetime', ['--topic', 'orders', '--to-datetime', 'yesterday-ish', '--execute'], /--to-datetime <time>.*ISO 8601/],
    ['two modes', ['--topic', 'orders', '--to-earliest', '--to-offset', '1', '--execute'], /INVALID_ARGUMENT: exactly one of --to-earliest, --to-latest, --to-datetime, --shift-by, --to-offset is required, got --to-earliest and --to-offset/],
    ['no mode', ['--topic', 'orders', '--execute'], /INVALID_ARGUMENT: exactly one of .* is required, got none/],
    ['both --dry-run and --execute', ['--topic', 'orders', '--to-latest', '--dry-run', '--execute'], /INVALID_ARGUMENT: --dry-run and --execute exclude each other/],
    ['no topic', ['--to-latest', '--execute'], /required option '--topic <topic>' not specified/],
    ['a shift without a committed offset', ['--topic', 'orders', '--shift-by', '1', '--execute'], /INVALID_ARGUMENT: cannot shift orders-0: the group has committed no offset for it/],
  ])('refuses %s with a clear error and commits nothing', async (_what, args, message) => {
    const result = await run(['group', 'reset-offsets', 'untouched', ...args]);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(await committed('untouched')).toEqual([]);
  });
});
