/** protobuf wire types, for the messages serialized by hand around bytes already in place. */
export const WIRE_TYPE = { varint: 0, bytes: 2 } as const;

/** Bytes of an unsigned varint; exact for safe integers. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Writes a non-negative safe integer as an unsigned varint; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  while (value >= 0x80) {
    buf[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}
