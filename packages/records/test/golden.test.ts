import { crc32c, decodeBatch, encodeBatch } from '@gregor/records';

/**
 * A batch written out by hand from the RecordBatch v2 layout, field by field, and compared byte for byte with the
 * encoder. The CRC is the one value computed, over the hand-written bytes (CRC-32C itself is pinned by crc.test).
 */
/** Hex bytes, one field per line, each followed by a `#` comment naming it. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex');
}

const BASE_TIMESTAMP = 1_600_000_000_000; // 0x0000_0174_876E_8000

// record 0: key "a", value "hello", one header h=1, timestampDelta 0, offsetDelta 0
const record0 = hex(`
  20            # length 16 (zigzag 32)
  00            # attributes
  00            # timestampDelta 0
  00            # offsetDelta 0
  02 61         # keyLength 1, "a"
  0a 68656c6c6f # valueLength 5, "hello"
  02            # 1 header
  02 68         # header keyLength 1, "h"
  02 31         # header valueLength 1, "1"
`);

// record 1: key "b", null value, no headers, timestampDelta 10, offsetDelta 1
const record1 = hex(`
  0e            # length 7 (zigzag 14)
  00            # attributes
  14            # timestampDelta 10 (zigzag 20)
  02            # offsetDelta 1
  02 62         # keyLength 1, "b"
  01            # valueLength -1 (null)
  00            # 0 headers
`);

const afterCrc = Buffer.concat([
  hex(`
    0000                # attributes: no compression, CreateTime, not transactional, not control
    00000001            # lastOffsetDelta 1
    00000174876e8000    # baseTimestamp
    00000174876e800a    # maxTimestamp (base + 10)
    00000000000003e8    # producerId 1000
    0002                # producerEpoch 2
    00000007            # baseSequence 7
    00000002            # recordsCount 2
  `),
  record0,
  record1,
]);

const crc = Buffer.alloc(4);
crc.writeUInt32BE(crc32c(afterCrc));

const expected = Buffer.concat([
  hex(`
    0000000000000064    # baseOffset 100
    0000004a            # batchLength 74
    00000005            # partitionLeaderEpoch 5
    02                  # magic 2
  `),
  crc,
  afterCrc,
]);

const records = [
  { key: Buffer.from('a'), value: Buffer.from('hello'), headers: [{ key: 'h', value: Buffer.from('1') }], timestamp: BASE_TIMESTAMP },
  { key: Buffer.from('b'), value: null, timestamp: BASE_TIMESTAMP + 10 },
];
const options = { baseOffset: 100, partitionLeaderEpoch: 5, producerId: 1000, producerEpoch: 2, baseSequence: 7 };

describe('golden RecordBatch v2', () => {
  it('hand-built bytes have the sizes the layout dictates', () => {
    expect(record0.length).toBe(17);
    expect(record1.length).toBe(8);
    expect(expected.length).toBe(86);
  });

  it('encodes byte for byte as the layout dictates', () => {
    expect(encodeBatch(records, options).toString('hex')).toBe(expected.toString('hex'));
  });

  it('decodes the hand-built bytes', () => {
    const batch = decodeBatch(expected);
    expect(batch.header.crc).toBe(crc.readUInt32BE(0));
    expect(batch.records.map((r) => ({ ...r, key: r.key?.toString(), value: r.value?.toString() ?? null }))).toEqual([
      { offset: 100, timestamp: BASE_TIMESTAMP, key: 'a', value: 'hello', headers: [{ key: 'h', value: Buffer.from('1') }] },
      { offset: 101, timestamp: BASE_TIMESTAMP + 10, key: 'b', value: null, headers: [] },
    ]);
  });
});
