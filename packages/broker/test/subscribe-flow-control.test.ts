import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeBatch, iterateBatches } from '@gregor/records';
import { waitFor } from '@gregor/testkit';
import { Broker, defaultBrokerConfig, silentLogger } from '@gregor/broker';
import { PartitionReplica } from '../src/partition-replica';
import { Message, RawClient } from './helpers/raw-client';

/** In-process broker, so the test can count how far a subscription has read the log. */
describe('Subscribe flow control', () => {
  let dir: string;
  let broker: Broker;
  let client: RawClient;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-flow-'));
    broker = await Broker.start({ ...defaultBrokerConfig(), port: 0, dataDir: dir, subscribeMaxInFlightBytes: 256 * 1024 }, silentLogger);
    client = new RawClient(`127.0.0.1:${broker.port}`);
  });

  afterAll(async () => {
    client?.close();
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops reading the log while the subscriber does not read, and delivers everything once it does', async () => {
    const BATCHES = 200;
    // Each acknowledgement waits for the timer's fsync, so the timer is short.
    await client.call('Admin', 'CreateTopic', { name: 'flow', configs: { 'flush.policy': 'interval', 'flush.interval.ms': '5' } });
    const reads = jest.spyOn(PartitionReplica.prototype, 'read');
    const stream = client.subscribe({ topic: 'flow', partition: 0, offset: 0, maxBytes: 100 * 1024 });
    let received = 0;
    stream.on('data', (m: Message) => (received += [...iterateBatches(m.records)].length));
    stream.on('error', () => undefined);
    stream.pause();

    const value = Buffer.alloc(100 * 1024, 'v');
    for (let i = 0; i < BATCHES; i++) {
      await client.call('Log', 'Produce', { topic: 'flow', partition: 0, batch: encodeBatch([{ key: null, value }]) });
    }
    // Without flow control the subscription keeps pace with the producer and reads every batch.
    expect(reads.mock.calls.length).toBeLessThan(BATCHES / 2);
    expect(received).toBe(0);

    stream.resume();
    await waitFor(() => received === BATCHES, 20000, 'every batch');
    stream.cancel();
    reads.mockRestore();
  }, 60000);
});
