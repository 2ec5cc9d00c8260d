import * as mqtt from 'mqtt-packet';
import { PacketSizeGuard } from '../src/packet-size-guard';

const publish = (bytes: number): Buffer => mqtt.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(bytes), qos: 0, dup: false, retain: false });

describe('PacketSizeGuard', () => {
  it('follows packet boundaries across any split of the stream and refuses the first packet over the limit', () => {
    const stream = Buffer.concat([publish(10), publish(500), publish(90), publish(2000)]);
    for (const step of [1, 3, 7, 64, stream.length]) {
      const guard = new PacketSizeGuard(1000);
      let refusedAt = -1;
      for (let i = 0; i < stream.length && refusedAt < 0; i += step) {
        if (!guard.accepts(stream.subarray(i, i + step))) refusedAt = i;
      }
      // The fourth packet starts after the first three; it is refused by its header, before its body.
      const fourth = publish(10).length + publish(500).length + publish(90).length;
      expect(refusedAt).toBeGreaterThanOrEqual(fourth - step + 1);
      expect(refusedAt).toBeLessThan(fourth + 5);
    }
  });

  it('refuses a remaining length of more than four bytes', () => {
    expect(new PacketSizeGuard(1 << 30).accepts(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(false);
  });

  it('accepts a packet exactly at the limit', () => {
    const packet = publish(100);
    expect(new PacketSizeGuard(packet.length).accepts(packet)).toBe(true);
    expect(new PacketSizeGuard(packet.length - 1).accepts(packet)).toBe(false);
  });
});
