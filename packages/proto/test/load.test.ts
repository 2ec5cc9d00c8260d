import { services } from '@gregor/proto';

describe('proto loading', () => {
  it('exposes every gregor.v1 service and the standard health service', () => {
    expect(Object.keys(services.Log.service)).toEqual(
      expect.arrayContaining(['Produce', 'ProduceStream', 'Fetch', 'Subscribe', 'ListOffsets']),
    );
    expect(services.Log.service.ProduceStream.requestStream).toBe(true);
    expect(services.Log.service.ProduceStream.responseStream).toBe(true);
    expect(services.Log.service.Subscribe.responseStream).toBe(true);
    expect(Object.keys(services.Admin.service)).toEqual(
      expect.arrayContaining(['CreateTopic', 'DeleteTopic', 'ListTopics', 'DescribeTopic', 'AlterTopicConfig', 'DescribeCluster']),
    );
    expect(Object.keys(services.Groups.service)).toEqual(expect.arrayContaining(['CommitOffsets', 'FetchOffsets']));
    expect(services.Health.service.Check.path).toBe('/grpc.health.v1.Health/Check');
  });

  it('decodes int64 as numbers, bytes as Buffers and absent optional bytes as undefined', () => {
    const produce = services.Log.service.Produce;
    const wire = produce.requestSerialize({
      topic: 't', partition: 1, records: [{ key: null, value: Buffer.from('v'), timestamp: 2 ** 40 }],
    });
    const decoded = produce.requestDeserialize(wire);
    expect(decoded.records[0].key).toBeUndefined();
    expect(Buffer.isBuffer(decoded.records[0].value)).toBe(true);
    expect(decoded.records[0].timestamp).toBe(2 ** 40);
    expect(decoded.batch).toEqual(Buffer.alloc(0));
  });
});
