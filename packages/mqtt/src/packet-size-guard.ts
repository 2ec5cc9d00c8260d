/**
 * Follows packet boundaries in an MQTT byte stream and reports the first packet larger than the
 * limit as soon as its fixed header is in, before the codec buffers its body: a client announcing
 * a 256 MiB packet costs the broker five bytes, not 256 MiB.
 */
export class PacketSizeGuard {
  /** Bytes of the current packet's body still to come; -1 while reading a fixed header. */
  private bodyLeft = -1;
  private headerBytes = 0;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly maxPacketBytes: number) {}

  /** Whether every packet the chunk starts or continues is within the limit (and well formed in length). */
  accepts(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
        if (this.bodyLeft === 0) this.bodyLeft = -1;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.headerBytes++ === 0) continue; // the packet type and flags
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        // The remaining length takes at most four bytes.
        if (this.headerBytes > 4) return false;
        continue;
      }
      if (this.length + this.headerBytes > this.maxPacketBytes) return false;
      this.bodyLeft = this.length === 0 ? -1 : this.length;
      this.headerBytes = 0;
      this.length = 0;
      this.multiplier = 1;
    }
    return true;
  }
}
