import { frameProduceRequest, produceRequestHeadroom, services, type Acks, type ProduceRequest } from '@gregor/proto';

const decode = services.Log.service.ProduceStream.requestDeserialize as (b: Buffer) => ProduceRequest;
const encode = services.Log.service.ProduceStream.requestSerialize as (r: ProduceRequest) => Buffer;

describe('frameProduceRequest', () => {
  const cases: Array<{ correlationId: number; topic: string; partition: number; acks: Acks; batchBytes: number }> = [
    { correlationId: 0, topic: 't', partition: 0, acks: 'ACKS_ALL', batchBytes: 1 },
    { correlationId: 1, topic: 'events.eu-1', partition: 7, acks: 'ACKS_LEADER', batchBytes: 300 },
    { correlationId: 2 ** 53 - 1, topic: 'x'.repeat(249), partition: 2 ** 31 - 1, acks: 'ACKS_ALL', batchBytes: 70_000 },
    { correlationId: 128, topic: 'ünïcode', partition: 128, acks: 'ACKS_LEADER', batchBytes: 16_384 },
  ];

  it.each(cases)('is read by the protobuf definitions as the request it describes (%#)', ({ batchBytes, ...fields }) => {
    const headroom = produceRequestHeadroom(Buffer.byteLength(fields.topic));
    const frame = Buffer.alloc(headroom + batchBytes + 5, 0xaa);
    const batch = frame.subarray(headroom, headroom + batchBytes);
    for (let i = 0; i < batch.length; i++) batch[i] = i & 0xff;
    const request = frameProduceRequest(frame, headroom, headroom + batchBytes, fields);
    const decoded = decode(request);
    expect(decoded).toMatchObject({ ...fields, records: [] });
    expect(Buffer.compare(decoded.batch!, batch)).toBe(0);
    expect(request.buffer).toBe(frame.buffer);
    expect(decode(encode({ ...fields, batch }))).toEqual(decoded);
  });

  it('refuses to write before the start of the buffer, or fields protobuf cannot hold', () => {
    const frame = Buffer.alloc(100);
    expect(() => frameProduceRequest(frame, 5, 100, { correlationId: 1, topic: 'topic', partition: 0, acks: 'ACKS_ALL' })).toThrow(RangeError);
    expect(() => frameProduceRequest(frame, 50, 100, { correlationId: -1, topic: 't', partition: 0, acks: 'ACKS_ALL' })).toThrow(RangeError);
    expect(() => frameProduceRequest(frame, 50, 100, { correlationId: 1, topic: 't', partition: -1, acks: 'ACKS_ALL' })).toThrow(RangeError);
  });
});
