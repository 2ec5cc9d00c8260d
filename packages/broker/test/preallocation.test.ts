import * as fs from 'fs';
import * as path from 'path';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { RawClient } from './helpers/raw-client';

/** The one partition's segment file and the bytes of disk reserved past its end. */
function activeSegment(dataDir: string, topic: string): { file: string; reservedPastEnd: () => number } {
  const topicsDir = path.join(dataDir, 'topics');
  const topicDir = fs.readdirSync(topicsDir).find((name) => name.startsWith(`${topic}-`));
  if (!topicDir) throw new Error(`no directory for ${topic} in ${topicsDir}`);
  const partitionDir = path.join(topicsDir, topicDir, '0');
  const file = path.join(partitionDir, fs.readdirSync(partitionDir).filter((name) => name.endsWith('.log')).sort()[0]);
  return {
    file,
    reservedPastEnd: () => {
      const stat = fs.statSync(file);
      return stat.blocks * 512 - stat.size;
    },
  };
}

/** Pids of the processes whose parent is `pid`, from /proc. */
function childPids(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Field 4 of stat is the parent pid; the command name before it is in parentheses and may hold spaces.
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`);

describe('a broker preallocating segments', () => {
  let broker: BrokerProcess | undefined;
  afterEach(async () => {
    await broker?.cleanup();
    broker = undefined;
  });

  async function produceOne(topic: string): Promise<void> {
    const client = new RawClient(broker!.address);
    await client.call('Admin', 'CreateTopic', { name: topic });
    await client.call('Log', 'Produce', { topic, partition: 0, records: [{ value: Buffer.from('kept') }] });
    client.close();
  }

  it('reserves disk ahead of a partition\'s appends and gives it back when it stops', async () => {
    broker = await startBroker();
    await produceOne('ahead');
    const segment = activeSegment(broker.dataDir, 'ahead');
    await waitFor(() => segment.reservedPastEnd() >= 512 * 1024, 10_000, 'blocks reserved past the segment end');
    const size = fs.statSync(segment.file).size;

    expect((await broker.kill('SIGTERM')).code).toBe(0);
    expect(fs.statSync(segment.file).size).toBe(size);
    expect(segment.reservedPastEnd()).toBeLessThan(4096);
  }, 30_000);

  it('leaves no helper process behind when killed', async () => {
    broker = await startBroker();
    const helpers = childPids(broker.pid!);
    expect(helpers).toHaveLength(1);
    await broker.kill('SIGKILL');
    await waitFor(() => !alive(helpers[0]), 10_000, 'the helper to exit after the broker');
  }, 30_000);

  it('starts no helper with --log-preallocate-bytes 0', async () => {
    broker = await startBroker({ config: { 'log-preallocate-bytes': 0 } });
    expect(broker.logs.find((l) => l.event === 'broker.started')).toMatchObject({ logPreallocateBytes: 0 });
    expect(childPids(broker.pid!)).toEqual([]);
  }, 30_000);
});
