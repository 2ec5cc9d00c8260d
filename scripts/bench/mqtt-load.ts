import * as net from 'net';
import { performance } from 'perf_hooks';
import * as mqtt from 'mqtt-packet';

/**
 * The load side of bench:mqtt: a lean MQTT 3.1.1 client, so that the figures measure the broker
 * and not a client library. PUBLISH packets are laid out by hand; what the broker sends back is
 * read with mqtt-packet's parser.
 */
export class LoadClient {
  private readonly parser = mqtt.parser({ protocolVersion: 4 });
  private onPacket: (packet: mqtt.Packet) => void = () => undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    // What one chunk of answers makes the client send leaves in one system call.
    socket.on('data', (chunk) => {
      socket.cork();
      this.parser.parse(chunk);
      socket.uncork();
    });
    this.parser.on('packet', (packet) => this.onPacket(packet));
  }

  /** Opens a connection and completes CONNECT/CONNACK (clean session, no keep-alive). */
  static connect(port: number, clientId: string, localAddress?: string): Promise<LoadClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress });
      const client = new LoadClient(socket);
      const fail = (err: Error) => reject(new Error(`${clientId}: ${err.message}`));
      socket.once('error', fail);
      socket.once('close', () => fail(new Error('closed before CONNACK')));
      client.onPacket = (packet) => {
        if (packet.cmd !== 'connack' || packet.returnCode !== 0) return fail(new Error(`unexpected ${packet.cmd} ${JSON.stringify(packet)}`));
        socket.removeAllListeners('error').removeAllListeners('close');
        socket.on('error', () => undefined);
        resolve(client);
      };
      socket.write(mqtt.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 0 }));
    });
  }

  /**
   * Publishes QoS 1 messages to `topic` for `durationMs`, keeping up to `window` unacknowledged;
   * `stamp` writes the send time into each payload's first 8 bytes. Resolves with every PUBACK's
   * latency in ms once the last one is in.
   */
  publishFor(topic: string, payloadBytes: number, window: number, durationMs: number, stamp = false): Promise<number[]> {
    const topicBytes = Buffer.from(topic, 'utf8');
    const sentAt = new Float64Array(65536);
    const latencies: number[] = [];
    const until = performance.now() + durationMs;
    let nextId = 0;
    let inflight = 0;
    return new Promise((resolve, reject) => {
      const send = () => {
        nextId = (nextId % 65535) + 1;
        const now = performance.now();
        sentAt[nextId] = now;
        inflight++;
        this.socket.write(publishPacket(topicBytes, nextId, payloadBytes, stamp ? now : undefined));
      };
      this.socket.once('close', () => reject(new Error(`connection closed with ${inflight} PUBLISHes unacknowledged`)));
      this.onPacket = (packet) => {
        if (packet.cmd !== 'puback') return reject(new Error(`unexpected ${packet.cmd}`));
        const now = performance.now();
        latencies.push(now - sentAt[packet.messageId!]);
        inflight--;
        if (now < until) send();
        else if (inflight === 0) {
          this.socket.removeAllListeners('close');
          resolve(latencies);
        }
      };
      for (let i = 0; i < window; i++) send();
    });
  }

  /**
   * Publishes stamped QoS 1 messages to `topic` at `perSecond` for `durationMs`, whatever is
   * unacknowledged; resolves with how many were sent once every one is acknowledged.
   */
  publishAtRate(topic: string, payloadBytes: number, perSecond: number, durationMs: number): Promise<number> {
    const topicBytes = Buffer.from(topic, 'utf8');
    const started = performance.now();
    let sent = 0;
    let acked = 0;
    return new Promise((resolve, reject) => {
      this.socket.once('close', () => reject(new Error(`connection closed with ${sent - acked} PUBLISHes unacknowledged`)));
      const finish = () => {
        if (acked < sent || performance.now() - started < durationMs) return;
        this.socket.removeAllListeners('close');
        resolve(sent);
      };
      this.onPacket = (packet) => {
        if (packet.cmd !== 'puback') return reject(new Error(`unexpected ${packet.cmd}`));
        acked++;
        finish();
      };
      const timer = setInterval(() => {
        const now = performance.now();
        const due = Math.floor((Math.min(now - started, durationMs) * perSecond) / 1000);
        this.socket.cork();
        for (; sent < due; sent++) this.socket.write(publishPacket(topicBytes, (sent % 65535) + 1, payloadBytes, now));
        this.socket.uncork();
        if (now - started >= durationMs) {
          clearInterval(timer);
          finish();
        }
      }, 5);
    });
  }

  /** Subscribes at QoS 0; `onMessage` gets each PUBLISH's payload. Resolves at SUBACK. */
  subscribe(topic: string, onMessage: (payload: Buffer) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onPacket = (packet) => {
        if (packet.cmd === 'suback') {
          if (packet.granted[0] === 128) return reject(new Error(`subscription to ${topic} refused`));
          return resolve();
        }
        if (packet.cmd === 'publish') onMessage(packet.payload as Buffer);
      };
      this.socket.write(mqtt.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] }));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A QoS 1 PUBLISH of `payloadBytes` bytes, the send time in its first 8 when given. */
function publishPacket(topic: Buffer, id: number, payloadBytes: number, sentAt?: number): Buffer {
  const remaining = 2 + topic.length + 2 + payloadBytes;
  const lengthBytes: number[] = [];
  for (let left = remaining; ; ) {
    const digit = left % 128;
    left = Math.floor(left / 128);
    lengthBytes.push(left > 0 ? digit | 0x80 : digit);
    if (left === 0) break;
  }
  const packet = Buffer.alloc(1 + lengthBytes.length + remaining, 0x61);
  let at = 0;
  packet[at++] = 0x32;
  for (const b of lengthBytes) packet[at++] = b;
  at = packet.writeUInt16BE(topic.length, at);
  at += topic.copy(packet, at);
  at = packet.writeUInt16BE(id, at);
  if (sentAt !== undefined) packet.writeDoubleBE(sentAt, at);
  return packet;
}

/** The send time a stamped payload carries, as performance.now() read it. */
export function stampOf(payload: Buffer): number {
  return payload.readDoubleBE(0);
}
