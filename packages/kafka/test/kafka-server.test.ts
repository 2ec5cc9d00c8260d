import { KafkaServer, WireReader, frame, readResponseHeader } from '../src';
import { connect } from './raw-client';
import { API_TABLE } from '../src/api-table';

describe('KafkaServer', () => {
  let server: KafkaServer;
  let port: number;
  const reasons: string[] = [];

  beforeAll(async () => {
    server = new KafkaServer({ onConnectionClosed: (reason) => reasons.push(reason) });
    port = await server.listen('127.0.0.1', 0);
  });

  afterAll(() => server.close());

  it('answers ApiVersions v3 with the API table, in request order', async () => {
    const client = await connect(port);
    client.request(18, 3, 1, (w) => w.compactString('raw').compactString('1').taggedFields(), 2);
    client.request(18, 0, 2);
    const first = new WireReader(await client.answer());
    expect(readResponseHeader(first, 0).correlationId).toBe(1);
    expect(first.int16()).toBe(0);
    expect(first.compactArray((r) => [r.int16(), r.int16(), r.int16(), r.taggedFields()][0])).toEqual(API_TABLE.map((a) => a.apiKey));
    expect(readResponseHeader(new WireReader(await client.answer()), 0).correlationId).toBe(2);
    client.end();
  });

  it('answers ApiVersions above its versions with UNSUPPORTED_VERSION, and stays open', async () => {
    const client = await connect(port);
    client.request(18, 7, 5);
    const answer = new WireReader(await client.answer());
    expect(readResponseHeader(answer, 0).correlationId).toBe(5);
    expect(answer.int16()).toBe(35);
    client.request(18, 2, 6);
    expect(readResponseHeader(new WireReader(await client.answer()), 0).correlationId).toBe(6);
    client.end();
  });

  it('closes the connection on an unknown API, a truncated body, a 2 GiB size prefix; others keep being served', async () => {
    const bystander = await connect(port);
    for (const bad of [
      (c: Awaited<ReturnType<typeof connect>>) => c.request(999, 0, 1),
      (c: Awaited<ReturnType<typeof connect>>) => c.request(18, 3, 1, (w) => w.unsignedVarint(50), 2),
      (c: Awaited<ReturnType<typeof connect>>) => c.send(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 18])),
      (c: Awaited<ReturnType<typeof connect>>) => c.send(Buffer.concat(frame([Buffer.from([0, 18, 0])]))),
    ]) {
      const client = await connect(port);
      bad(client);
      await client.closed;
    }
    expect(reasons.length).toBeGreaterThanOrEqual(4);
    bystander.request(18, 1, 9);
    expect(readResponseHeader(new WireReader(await bystander.answer()), 0).correlationId).toBe(9);
    bystander.end();
  });
});
