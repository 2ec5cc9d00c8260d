import type { BrokerSurface, FrontEnd } from '@gregor/broker';
import { KAFKA_LISTENER } from '../apis/metadata';
import { brokerHandlers } from './broker-handlers';
import { KafkaServer } from './kafka-server';

export interface KafkaFrontEndOptions {
  host: string;
  port: number;
  /** host:port Kafka clients are told to use; empty: host and the bound port. */
  advertisedAddress: string;
  onConnectionClosed?(reason: string): void;
}

/** The Kafka protocol listener as one of a broker's front ends. */
export class KafkaFrontEnd implements FrontEnd {
  readonly name = KAFKA_LISTENER;
  private server: KafkaServer | null = null;

  constructor(private readonly options: KafkaFrontEndOptions) {}

  async start(surface: BrokerSurface): Promise<string> {
    const { host, port, advertisedAddress, onConnectionClosed } = this.options;
    this.server = new KafkaServer({ handlers: brokerHandlers(surface), onConnectionClosed });
    const bound = await this.server.listen(host, port);
    return advertisedAddress || `${host.includes(':') ? `[${host}]` : host}:${bound}`;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }
}
