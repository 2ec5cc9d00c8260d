import type * as grpc from '@grpc/grpc-js';
import type { Controller } from '../controller/controller';
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
}

/** Handlers of the Peer service, registered on the broker's peer listener. */
export function peerService(parts: PeerServiceParts): grpc.UntypedServiceImplementation {
  return {
    Stream: parts.transport.handleStream,
    Propose: answerUnary<{ command: string }, { result: string }>(({ command }) => proposeForwarded(parts.controller, command)),
    Heartbeat: answerUnary<{ brokerId: number; address: string }, object>(({ brokerId, address }) => {
      parts.heartbeats.receive(brokerId, address);
      return {};
    }),
    ReplicaStatus: answerUnary(() => ({ replicas: parts.hosted.states() })),
  };
}
