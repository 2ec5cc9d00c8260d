import * as net from 'node:net';
import { encodeBatch } from '@gregor/records';
import { FrameSplitter, WireReader, WireWriter, apiRange, frame, readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader } from '../src';
import { VersionedReader, VersionedWriter } from '../src/versioned';

/** A raw client connection: sends frames, collects answers, notices the close. */
export async function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const splitter = new FrameSplitter();
  const answers: Buffer[] = [];
  let waiting: (() => void) | null = null;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk) => {
    answers.push(...splitter.push(chunk));
    waiting?.();
  });
  return {
    send(bytes: Buffer) {
      socket.write(bytes);
    },
    request(apiKey: number, apiVersion: number, correlationId: number, body = (w: WireWriter) => w, headerVersion: 1 | 2 = 1) {
      const w = new WireWriter();
      writeRequestHeader(w, { apiKey, apiVersion, correlationId, clientId: 'raw' }, headerVersion);
      socket.write(Buffer.concat(frame(body(w).finish())));
    },
    async answer(): Promise<Buffer> {
      while (answers.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
      return answers.shift()!;
    },
    closed,
    end: () => socket.destroy(),
  };
}

export type RawClient = Awaited<ReturnType<typeof connect>>;

let correlation = 0;

/** One request at an API's version, with the headers the API table gives it; resolves with the response body. */
export async function call(client: RawClient, apiKey: number, version: number, body: (w: VersionedWriter) => void): Promise<VersionedReader> {
  const flexible = version >= (apiRange(apiKey)?.flexibleFrom ?? Infinity);
  const id = ++correlation;
  client.request(apiKey, version, id, (w) => {
    body(new VersionedWriter(w, version, flexible));
    return w;
  }, requestHeaderVersion(apiKey, version));
  const reader = new WireReader(await client.answer());
  const header = readResponseHeader(reader, responseHeaderVersion(apiKey, version));
  if (header.correlationId !== id) throw new Error(`answer ${header.correlationId} to request ${id}`);
  return new VersionedReader(reader, version, flexible);
}

const PRODUCE = 0;

export function batchOf(values: string[], timestamp = Date.now()): Buffer {
  return encodeBatch(values.map((value) => ({ key: null, value: Buffer.from(value), headers: [], timestamp })));
}

/** The partition's answer to a Produce of `records` at `version`. */
export async function produce(client: RawClient, version: number, topic: string, records: Buffer, acks = -1, partition = 0): Promise<{ errorCode: number; baseOffset: bigint }> {
  const r = await call(client, PRODUCE, version, (w) => {
    if (version >= 3) w.nullableString(null);
    w.int16(acks).int32(10_000);
    w.array([topic], (t) => t.string(topic).array([partition], (p) => p.int32(partition).nullableBytes(records).tags()).tags());
    w.tags();
  });
  const [answer] = r.array((t) => {
    t.string();
    return t.array((p) => {
      p.int32();
      const errorCode = p.int16();
      const baseOffset = p.int64();
      if (version >= 2) p.int64();
      if (version >= 5) p.int64();
      if (version >= 8) {
        p.array((e) => [e.int32(), e.nullableString(), e.tags()]);
        p.nullableString();
      }
      p.tags();
      return { errorCode, baseOffset };
    })[0];
  });
  return answer;
}
