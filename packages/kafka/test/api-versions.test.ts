import {
  API_TABLE,
  ErrorCode,
  WireReader,
  WireWriter,
  answerApiVersions,
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
  parseRequest,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
} from '../src';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function encoded(version: number): Buffer {
  const answer = answerApiVersions(version);
  const writer = new WireWriter();
  encodeApiVersionsResponse(writer, answer.response, answer.version);
  return writer.toBuffer();
}

describe('ApiVersions', () => {
  it('lays out each version family as the schema has it', () => {
    const layout = (version: number) => {
      const writer = new WireWriter();
      encodeApiVersionsResponse(writer, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 }, version);
      return writer.toBuffer();
    };
    // error 0, int32 count 1, {18, 0, 3}
    expect(layout(0)).toEqual(hex('0000 00000001 0012 0000 0003'));
    // ... plus throttle time
    expect(layout(2)).toEqual(hex('0000 00000001 0012 0000 0003 00000000'));
    // compact count 1+1, {18, 0, 3, no tags}, throttle time, no tags
    expect(layout(3)).toEqual(hex('0000 02 0012 0000 0003 00 00000000 00'));
  });

  it('reads a version 3 request: the client software name and version, compact, then tags', () => {
    const request = decodeApiVersionsRequest(new WireReader(hex('05 6b636174 04 312e37 00')), 3);
    expect(request).toEqual({ clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7', taggedFields: new Map() });
    expect(decodeApiVersionsRequest(new WireReader(Buffer.alloc(0)), 1).clientSoftwareName).toBeNull();
    expect(() => decodeApiVersionsRequest(new WireReader(hex('00')), 2)).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
  });

  it('answers a version above ours with UNSUPPORTED_VERSION in the version 0 layout, listing what it has', () => {
    const answer = answerApiVersions(9);
    expect(answer.version).toBe(0);
    expect(answer.response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(answer.response.apiKeys).toEqual(API_TABLE.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })));
    expect(answer.response.apiKeys).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
  });

  it('advertises exactly the table, and every advertised version reads a request and writes a response', () => {
    const advertised = answerApiVersions(3).response.apiKeys;
    expect(advertised).toEqual(API_TABLE.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion })));
    for (let version = 0; version <= 3; version++) {
      const writer = new WireWriter();
      writeRequestHeader(writer, { apiKey: 18, apiVersion: version, correlationId: version, clientId: 'test' }, requestHeaderVersion(18, version));
      if (version >= 3) writer.compactString('gregor-test').compactString('0').taggedFields();
      const { header, body } = parseRequest(writer.toBuffer(), requestHeaderVersion);
      expect(header.correlationId).toBe(version);
      expect(decodeApiVersionsRequest(body, version).clientSoftwareName).toBe(version >= 3 ? 'gregor-test' : null);
      expect(responseHeaderVersion(18, version)).toBe(0);
      expect(encoded(version).length).toBeGreaterThan(0);
    }
  });
});
