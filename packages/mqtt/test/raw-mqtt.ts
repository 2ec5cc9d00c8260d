import * as net from 'node:net';
import * as mqtt from 'mqtt-packet';

/** A bare MQTT connection for tests that send what no well-behaved client would. */
export interface RawMqtt {
  send(packet: mqtt.Packet): void;
  sendBytes(bytes: Buffer): void;
  /** The next packet the broker sends; rejects when the connection closes first or after `timeoutMs`. */
  next(timeoutMs?: number): Promise<mqtt.Packet>;
  /** Resolves when the broker has closed the connection. */
  readonly closed: Promise<void>;
  end(): void;
}

export async function rawMqtt(port: number, protocolVersion: 4 | 5 = 4): Promise<RawMqtt> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const settings = { protocolVersion };
  const parser = mqtt.parser(settings);
  const received: mqtt.Packet[] = [];
  const waiters: Array<{ resolve(p: mqtt.Packet): void; reject(e: Error): void }> = [];
  let ended = false;
  parser.on('packet', (packet: mqtt.Packet) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(packet);
    else received.push(packet);
  });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    ended = true;
    for (const w of waiters.splice(0)) w.reject(new Error('connection closed'));
    resolve();
  }));
  socket.on('error', () => undefined);
  return {
    send: (packet) => socket.write(mqtt.generate(packet, settings)),
    sendBytes: (bytes) => socket.write(bytes),
    next: (timeoutMs = 10_000) => {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      if (ended) return Promise.reject(new Error('connection closed'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no packet within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ resolve: (p) => (clearTimeout(timer), resolve(p)), reject: (e) => (clearTimeout(timer), reject(e)) });
      });
    },
    closed,
    end: () => socket.destroy(),
  };
}

/** CONNECT, answered by CONNACK; returns the CONNACK. */
export async function connectRaw(client: RawMqtt, clientId: string, protocolVersion: 4 | 5 = 4, clean = true): Promise<mqtt.IConnackPacket> {
  client.send({ cmd: 'connect', clientId, protocolId: 'MQTT', protocolVersion, clean, keepalive: 60 });
  return (await client.next()) as mqtt.IConnackPacket;
}

/** The payloads of the next `count` PUBLISHes the broker sends, each PUBACKed (QoS 1) as it comes. */
export async function receivePublishes(client: RawMqtt, count: number): Promise<string[]> {
  const got: string[] = [];
  while (got.length < count) {
    const delivery = await client.next();
    if (delivery.cmd !== 'publish') throw new Error(`expected a PUBLISH, got ${delivery.cmd}`);
    got.push(String(delivery.payload));
    if (delivery.qos === 1) client.send({ cmd: 'puback', messageId: delivery.messageId });
  }
  return got;
}
