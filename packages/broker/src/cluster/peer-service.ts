import type * as grpc from '@grpc/grpc-js';
import type { Controller } from '../controller/controller';
import { BrokerError } from '../errors';
import type { PeerTransport } from '../replication/peer-transport';
import { answerUnary } from '../services/handlers';
import type { BrokerHeartbeats } from './broker-heartbeats';
import type { BrokerRecord } from '../controller/metadata-commands';
import type { HostedReplicas } from './hosted-replicas';

interface HeartbeatRequest {
  brokerId: number;
  address: string;
  peerAddress?: string;
  rack?: string;
  listeners?: Record<string, string>;
}

function isHostPort(address: string): boolean {
  return /^[^:\s].*:([1-9]\d{0,4})$/.test(address) && Number(address.slice(address.lastIndexOf(':') + 1)) <= 65535;
}
import { proposeForwarded } from './metadata-forwarding';

export interface PeerServiceParts {
  transport: PeerTransport;
  controller: Controller;
  heartbeats: BrokerHeartbeats;
  hosted: HostedReplicas;
  /** Who holds broker id `id` now, for a heartbeat claiming it. */
  registered(id: number): BrokerRecord | undefined;
}

/** Handlers of the Peer service, registered on the broker's peer listener. */
export function peerService(parts: PeerServiceParts): grpc.UntypedServiceImplementation {
  return {
    Stream: parts.transport.handleStream,
    Propose: answerUnary<{ command: string }, { result: string }>(({ command }) => proposeForwarded(parts.controller, command)),
    Heartbeat: answerUnary<HeartbeatRequest, object>((request) => {
      const { brokerId, address } = request;
      const peerAddress = request.peerAddress ?? '';
      if (!Number.isInteger(brokerId) || brokerId < 1) throw new BrokerError('INVALID_REQUEST', `heartbeat from broker id ${brokerId}, not a positive integer`);
      for (const [name, value] of [['address', address], ['peer address', peerAddress]] as const) {
        if (!isHostPort(value)) throw new BrokerError('INVALID_REQUEST', `heartbeat from broker ${brokerId} with ${name} ${JSON.stringify(value)}, not host:port`);
      }
      // A heartbeat registers where clients and brokers are sent: a second broker claiming a live one's id must not move it.
      const holder = parts.registered(brokerId);
      if (holder?.peerAddress && holder.peerAddress !== peerAddress && !holder.fenced) {
        throw new BrokerError('INVALID_REQUEST', `broker id ${brokerId} is held by the live broker at ${holder.peerAddress}; a broker at ${peerAddress} cannot take it`);
      }
      const listeners = request.listeners ?? {};
      for (const [name, value] of Object.entries(listeners)) {
        if (!isHostPort(value)) throw new BrokerError('INVALID_REQUEST', `heartbeat from broker ${brokerId} with ${name} listener ${JSON.stringify(value)}, not host:port`);
      }
      parts.heartbeats.receive({ brokerId, address, peerAddress, rack: request.rack ?? '', listeners });
      return {};
    }),
    ReplicaStatus: answerUnary(() => ({ replicas: parts.hosted.states() })),
  };
}
