import { frameSubscribeResponse, services, SUBSCRIBE_RESPONSE_HEADROOM, type SubscribeResponse } from '@gregor/proto';

const decode = services.Log.service.Subscribe.responseDeserialize as (b: Buffer) => SubscribeResponse;

describe('frameSubscribeResponse', () => {
  it.each([
    { highWatermark: 0, nextOffset: 0, length: 1 },
    { highWatermark: 127, nextOffset: 128, length: 200 },
    { highWatermark: 2 ** 53 - 1, nextOffset: 2 ** 40, length: 70_000 },
  ])('is read by the protobuf definitions as the response it describes (%#)', ({ highWatermark, nextOffset, length }) => {
    const buffer = Buffer.alloc(SUBSCRIBE_RESPONSE_HEADROOM + length, 0xaa);
    const records = buffer.subarray(SUBSCRIBE_RESPONSE_HEADROOM);
    for (let i = 0; i < records.length; i++) records[i] = i & 0xff;
    const frame = frameSubscribeResponse(records, highWatermark, nextOffset);
    expect(frame.buffer).toBe(buffer.buffer);
    const decoded = decode(frame);
    expect(decoded).toMatchObject({ highWatermark, nextOffset });
    expect(Buffer.compare(decoded.records, records)).toBe(0);
  });

  it('refuses records without room before them, and offsets int64 cannot hold', () => {
    const records = Buffer.alloc(SUBSCRIBE_RESPONSE_HEADROOM + 10).subarray(5);
    expect(() => frameSubscribeResponse(records, 1, 1)).toThrow(RangeError);
    const roomy = Buffer.alloc(SUBSCRIBE_RESPONSE_HEADROOM + 10).subarray(SUBSCRIBE_RESPONSE_HEADROOM);
    expect(() => frameSubscribeResponse(roomy, -1, 1)).toThrow(RangeError);
    expect(() => frameSubscribeResponse(roomy, 1, 1.5)).toThrow(RangeError);
  });
});
