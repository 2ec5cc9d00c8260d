import fc from 'fast-check';
import { FrameSplitter, KafkaWireError, WireWriter, frame, parseRequest, peekRequestKey, readResponseHeader, WireReader, writeRequestHeader, writeResponseHeader } from '../src';

const seed = Number(process.env.FC_SEED ?? 20261203);

describe('FrameSplitter', () => {
  it('yields the same frames however the stream is cut into reads', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (bodies, cuts) => {
        const stream = Buffer.concat(bodies.flatMap((b) => frame([Buffer.from(b)])));
        const splitter = new FrameSplitter();
        const out: Buffer[] = [];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const next = Math.min(stream.length, at + cuts[i % cuts.length]);
          out.push(...splitter.push(stream.subarray(at, next)));
          at = next;
        }
        expect(out.map((b) => [...b])).toEqual(bodies.map((b) => [...b]));
        expect(splitter.buffered).toBe(0);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('refuses a size prefix of 2 GiB or a negative one before buffering anything', () => {
    const huge = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    expect(() => new FrameSplitter().push(huge)).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(() => new FrameSplitter().push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(KafkaWireError);
    expect(() => new FrameSplitter(1000).push(Buffer.from([0, 0, 0x03, 0xe9]))).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(new FrameSplitter(1000).push(Buffer.from([0, 0, 0x03, 0xe8]))).toEqual([]);
  });

  it('holds a partial frame until the rest arrives', () => {
    const splitter = new FrameSplitter();
    expect(splitter.push(Buffer.from([0, 0, 0, 3, 1]))).toEqual([]);
    expect(splitter.buffered).toBe(1);
    expect(splitter.push(Buffer.from([2, 3, 0, 0]))).toEqual([Buffer.from([1, 2, 3])]);
    expect(splitter.buffered).toBe(2);
  });
});

describe('request and response headers', () => {
  const flexibleFrom = (apiKey: number, apiVersion: number) => (apiKey === 18 ? apiVersion >= 3 : apiVersion >= 9) ? 2 : 1;

  it('reads what a client writes, header version by API version, leaving the body', () => {
    for (const [apiKey, apiVersion] of [[18, 2], [18, 3], [3, 8], [3, 12]] as const) {
      const version = flexibleFrom(apiKey, apiVersion);
      const writer = new WireWriter();
      writeRequestHeader(writer, { apiKey, apiVersion, correlationId: 77, clientId: 'rdkafka' }, version);
      writer.int32(12345);
      const { header, body } = parseRequest(writer.toBuffer(), flexibleFrom);
      expect(header).toEqual({ apiKey, apiVersion, correlationId: 77, clientId: 'rdkafka', taggedFields: new Map() });
      expect(body.int32()).toBe(12345);
      expect(body.remaining).toBe(0);
    }
  });

  it('peeks the key, version and correlation id of any frame of 8 bytes or more', () => {
    expect(peekRequestKey(Buffer.from([0, 18, 0, 99, 0, 0, 0, 5]))).toEqual({ apiKey: 18, apiVersion: 99, correlationId: 5 });
    expect(() => peekRequestKey(Buffer.from([0, 18, 0]))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('writes response headers with tagged fields only from version 1', () => {
    const v0 = new WireWriter();
    writeResponseHeader(v0, 9, 0);
    expect(v0.toBuffer()).toEqual(Buffer.from([0, 0, 0, 9]));
    const v1 = new WireWriter();
    writeResponseHeader(v1, 9, 1);
    expect(readResponseHeader(new WireReader(v1.toBuffer()), 1)).toEqual({ correlationId: 9, taggedFields: new Map() });
  });

  it('throws only KafkaWireError on arbitrary frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (raw) => {
        try {
          parseRequest(Buffer.from(raw), flexibleFrom);
        } catch (err) {
          expect(err).toBeInstanceOf(KafkaWireError);
        }
      }),
      { seed, numRuns: 2000 },
    );
  });
});
