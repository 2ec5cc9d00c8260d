import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { Admin, Consumer, ConsumerRecord, GregorError, Producer } from '@gregor/client';

/** Retention moves the log start; a consumer behind it resets per autoOffsetReset. */
describe('consumer behind the log start', () => {
  let broker: BrokerProcess;
  let admin: Admin;
  const tp = { topic: 'short', partition: 0 };

  beforeAll(async () => {
    broker = await startBroker({ config: { 'retention-check-interval-ms': 50 } });
    admin = new Admin({ address: broker.address });
    await admin.createTopic('short', { configs: { 'segment.bytes': '1024', 'retention.bytes': '2048' } });
    const producer = new Producer({ address: broker.address, lingerMs: 0 });
    for (let i = 0; i < 40; i++) await producer.send('short', { value: `record-${i}`.padEnd(200, '.') });
    await producer.close();
  });

  afterAll(async () => {
    admin?.close();
    await broker?.cleanup();
  });

  it('retention deletes old segments on the broker\'s schedule', async () => {
    const [earliest] = await waitFor(async () => {
      const offsets = await admin.listOffsets('short', 'earliest');
      return offsets[0].offset > 0 ? offsets : null;
    }, 15000, 'log start offset to move');
    expect(earliest.highWatermark).toBe(40);
  });

  it("resets to the earliest offset with autoOffsetReset 'earliest'", async () => {
    const consumer = new Consumer({ address: broker.address, autoOffsetReset: 'earliest' });
    await consumer.assign([tp]);
    await consumer.seek(tp, 0);
    const [start] = await admin.listOffsets('short', 'earliest');
    let first: ConsumerRecord | undefined;
    for await (const record of consumer) {
      first = record;
      break;
    }
    expect(first!.offset).toBeGreaterThanOrEqual(start.offset);
    expect(first!.value!.toString()).toMatch(new RegExp(`^record-${first!.offset}\\.`));
    consumer.close();
  });

  it("raises OUT_OF_RANGE with autoOffsetReset 'none'", async () => {
    const consumer = new Consumer({ address: broker.address, autoOffsetReset: 'none' });
    await consumer.assign([tp]);
    await consumer.seek(tp, 0);
    const failure = await (async () => {
      try {
        for await (const record of consumer) return record;
      } catch (err) {
        return err;
      }
    })();
    expect(failure).toBeInstanceOf(GregorError);
    expect((failure as GregorError).code).toBe('OUT_OF_RANGE');
    expect((failure as GregorError).message).toMatch(/log start offset \d+, end offset 40/);
    consumer.close();
  });
});
