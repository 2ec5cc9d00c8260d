import type * as grpc from '@grpc/grpc-js';
import type { Controller } from '../controller/controller';
import { BrokerError } from '../errors';
import type { PeerTransport } from '../replication/peer-transport';
import { answerUnary } from '../services/handlers';
import type { BrokerHeartbeats } from './broker-heartbeats';
import type { HostedReplicas } from './hosted-replicas';
import { proposeForwarded } from './metadata-forwarding';

export interface PeerServiceParts {
  transport: PeerTransport;
  controller: Controller;
  heartbeats: BrokerHeartbeats;
  hosted: HostedReplicas;
  /** Whether `id` is one of the cluster's brokers (--peers). */
  isPeer(id: number): boolean;
}

/** Handlers of the Peer service, registered on the broker's peer listener. */
export function peerService(parts: PeerServiceParts): grpc.UntypedServiceImplementation {
  return {
    Stream: parts.transport.handleStream,
    Propose: answerUnary<{ command: string }, { result: string }>(({ command }) => proposeForwarded(parts.controller, command)),
    Heartbeat: answerUnary<{ brokerId: number; address: string }, object>(({ brokerId, address }) => {
      // A heartbeat registers the address clients are sent to: a stray one must not move a broker.
      if (!parts.isPeer(brokerId)) throw new BrokerError('INVALID_REQUEST', `heartbeat from broker ${brokerId}, which is not in --peers`);
      if (!/^[^:\s].*:([1-9]\d{0,4})$/.test(address) || Number(address.slice(address.lastIndexOf(':') + 1)) > 65535) {
        throw new BrokerError('INVALID_REQUEST', `heartbeat from broker ${brokerId} with address ${JSON.stringify(address)}, not host:port`);
      }
      parts.heartbeats.receive(brokerId, address);
      return {};
    }),
    ReplicaStatus: answerUnary(() => ({ replicas: parts.hosted.states() })),
  };
}
