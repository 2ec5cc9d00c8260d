import * as grpc from '@grpc/grpc-js';
import { decodeBatch, encodeBatch, iterateBatches } from '@gregor/records';
import { BrokerProcess, startBroker } from '@gregor/testkit';
import { RawClient } from './helpers/raw-client';

/** An idempotent producer's batches, sent by hand over raw gRPC to a real broker. */
describe('idempotent produce', () => {
  let broker: BrokerProcess;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startBroker();
    client = new RawClient(broker.address);
  });

  afterAll(async () => {
    client?.close();
    await broker?.cleanup();
  });

  const batch = (producerId: number, producerEpoch: number, baseSequence: number, ...values: string[]): Buffer =>
    encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })), { producerId, producerEpoch, baseSequence });

  const produce = (topic: string, records: Buffer) => client.call('Log', 'Produce', { topic, partition: 0, batch: records });

  async function refusal(topic: string, records: Buffer): Promise<{ code: grpc.status; reason: unknown }> {
    const err = await client.failure('Log', 'Produce', { topic, partition: 0, batch: records });
    return { code: err.code, reason: err.metadata.get('gregor-error')[0] };
  }

  async function logValues(topic: string): Promise<string[]> {
    const { records } = await client.call('Log', 'Fetch', { topic, partition: 0, offset: 0 });
    return [...iterateBatches(records)].flatMap(({ position }) => decodeBatch(records, position).records.map((r) => r.value!.toString()));
  }

  const outOfOrder = { code: grpc.status.ABORTED, reason: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };

  it('refuses a batch that does not follow the last one with OUT_OF_ORDER_SEQUENCE_NUMBER, and answers a recent retry as a duplicate', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'seq-t' });
    const { producerId } = await client.call('Log', 'InitProducerId', {});

    expect(await refusal('seq-t', batch(producerId, 0, 3, 'd'))).toEqual(outOfOrder);
    const first = await produce('seq-t', batch(producerId, 0, 0, 'a', 'b', 'c'));
    expect(await refusal('seq-t', batch(producerId, 0, 4, 'e'))).toEqual(outOfOrder);
    const second = await produce('seq-t', batch(producerId, 0, 3, 'd'));
    expect(await produce('seq-t', batch(producerId, 0, 0, 'a', 'b', 'c'))).toMatchObject({ baseOffset: first.baseOffset, lastOffset: first.lastOffset });
    expect(await refusal('seq-t', batch(producerId, 1, 4, 'e'))).toEqual(outOfOrder);

    expect([first.baseOffset, second.baseOffset]).toEqual([0, 3]);
    expect(await logValues('seq-t')).toEqual(['a', 'b', 'c', 'd']);
  });
});
