import fc from 'fast-check';
import { BrokerError, type BrokerSurface, type GroupRequests } from '@gregor/broker';
import { API_TABLE, KafkaWireError, WireWriter, brokerHandlers, isSupported, parseRequest, requestHeaderVersion, writeRequestHeader } from '@gregor/kafka';

export interface RequestFuzzReport {
  runs: number;
  /** Cases whose header and version an API of the table serves: their bodies reached the API's decoder. */
  served: number;
  /** Of those, the ones answered (the rest refused as malformed, KafkaWireError: the connection would be closed). */
  answered: number;
}

const refuse = (): Promise<never> => Promise.reject(new BrokerError('UNKNOWN_TOPIC', 'the fuzzed broker has no data'));

/** A broker that answers every call with an error or nothing, at once, so that only the protocol code is under test. */
function emptySurface(): BrokerSurface {
  const groups: GroupRequests = {
    coordinatorOf: async () => 1,
    join: refuse,
    sync: refuse,
    heartbeat: refuse,
    leave: refuse,
    describe: refuse,
    list: async () => [],
    delete: refuse,
    commit: refuse,
    fetch: async () => [],
  };
  return {
    brokerId: 1,
    clientAddress: '127.0.0.1:7070',
    // Aborted, as when the broker stops: a long poll answers at once instead of waiting out max_wait_ms.
    shutdownSignal: AbortSignal.abort(),
    clusterId: () => 'fuzz',
    controllerId: () => 1,
    brokers: () => [{ id: 1, listeners: { kafka: '127.0.0.1:9092' }, rack: '', alive: true }],
    topics: () => [{ name: 'fuzz', topicId: '00000000000000ff', internal: false, partitions: [{ partition: 0, leader: 1, leaderEpoch: 1, replicas: [1], inSync: [1], offline: [] }] }],
    produce: refuse,
    read: refuse,
    waitForData: async () => undefined,
    listOffset: refuse,
    createTopic: refuse,
    deleteTopic: refuse,
    createPartitions: refuse,
    topicConfigs: () => ({ own: {}, effective: { 'retention.ms': '604800000' } }),
    alterTopicConfigs: refuse,
    allocateProducerId: async () => 1,
    groups,
  };
}

/** A field as a client might put it: small counts and lengths, so that decoders go deep before they run out. */
const field: fc.Arbitrary<(w: WireWriter) => void> = fc.oneof(
  fc.integer({ min: -2, max: 6 }).map((v) => (w: WireWriter) => void w.int8(v)),
  fc.integer({ min: -2, max: 6 }).map((v) => (w: WireWriter) => void w.int16(v)),
  fc.integer({ min: -2, max: 6 }).map((v) => (w: WireWriter) => void w.int32(v)),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => (w: WireWriter) => void w.int32(v)),
  fc.bigInt({ min: -2n, max: 2n ** 40n }).map((v) => (w: WireWriter) => void w.int64(v)),
  fc.integer({ min: 0, max: 8 }).map((v) => (w: WireWriter) => void w.unsignedVarint(v)),
  fc.option(fc.string({ maxLength: 12 })).map((v) => (w: WireWriter) => void w.nullableString(v)),
  fc.option(fc.string({ maxLength: 12 })).map((v) => (w: WireWriter) => void w.compactNullableString(v)),
  fc.option(fc.uint8Array({ maxLength: 80 })).map((v) => (w: WireWriter) => void w.nullableBytes(v && Buffer.from(v))),
  fc.uint8Array({ maxLength: 16 }).map((v) => (w: WireWriter) => void w.raw(Buffer.from(v))),
);

const apiKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...API_TABLE.map((a) => a.apiKey)) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 80 }) });

/** A request frame: a header of an API from the table (mostly) at a version in its range (mostly), then a body of plausible fields. */
const frame = fc
  .record({
    apiKey,
    versionPick: fc.integer({ min: -2, max: 16 }),
    correlationId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    clientId: fc.option(fc.string({ maxLength: 10 })),
    body: fc.array(field, { maxLength: 30 }),
    cut: fc.option(fc.nat(), { freq: 4 }),
  })
  .map(({ apiKey: key, versionPick, correlationId, clientId, body, cut }) => {
    const range = API_TABLE.find((a) => a.apiKey === key);
    const apiVersion = range && versionPick >= 0 ? range.minVersion + (versionPick % (range.maxVersion - range.minVersion + 1)) : versionPick;
    const w = new WireWriter();
    writeRequestHeader(w, { apiKey: key, apiVersion, correlationId, clientId }, requestHeaderVersion(key, apiVersion));
    for (const write of body) write(w);
    const bytes = w.toBuffer();
    return cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
  });

/**
 * Sends `runs` generated request frames through the broker's Kafka handlers, as a connection
 * does: parse the header, and for an API and version the table serves, run its handler. The
 * one outcome allowed besides an answer is KafkaWireError (the connection is closed); any other
 * throw is a decoder or handler bug, and fast-check reports the smallest frame that shows it.
 */
export async function fuzzRequests(seed: number, runs: number): Promise<RequestFuzzReport> {
  const handlers = brokerHandlers(emptySurface());
  const report: RequestFuzzReport = { runs, served: 0, answered: 0 };
  await fc.assert(
    fc.asyncProperty(frame, async (bytes) => {
      try {
        const { header, body } = parseRequest(bytes, requestHeaderVersion);
        const handler = handlers.get(header.apiKey);
        if (!handler || !isSupported(header.apiKey, header.apiVersion)) return;
        report.served++;
        await handler(header, body, new WireWriter(), { host: '/127.0.0.1' });
        report.answered++;
      } catch (err) {
        if (!(err instanceof KafkaWireError)) throw err;
      }
    }),
    { seed, numRuns: runs },
  );
  return report;
}
