import type * as grpc from '@grpc/grpc-js';
import { toStatus } from '../errors';
import type { Controller } from '../controller/controller';
import type { PeerTransport } from '../replication/peer-transport';
import type { BrokerHeartbeats } from './broker-heartbeats';
import type { HostedReplicas } from './hosted-replicas';
import { proposeForwarded } from './metadata-forwarding';

export interface PeerServiceParts {
  transport: PeerTransport;
  controller: Controller;
  heartbeats: BrokerHeartbeats;
  hosted: HostedReplicas;
}

const unary =
  <Req, Res>(handle: (request: Req) => Promise<Res> | Res) =>
  (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
    Promise.resolve()
      .then(() => handle(call.request))
      .then(
        (response) => callback(null, response),
        (err: unknown) => {
          const status = toStatus(err);
          callback({ code: status.code, details: status.details });
        },
      );
  };

/** Handlers of the Peer service, registered on the broker's peer listener. */
export function peerService(parts: PeerServiceParts): grpc.UntypedServiceImplementation {
  return {
    Stream: parts.transport.handleStream,
    Propose: unary<{ command: string }, { result: string }>(({ command }) => proposeForwarded(parts.controller, command)),
    Heartbeat: unary<{ brokerId: number; address: string }, object>(({ brokerId, address }) => {
      parts.heartbeats.receive(brokerId, address);
      return {};
    }),
    ReplicaStatus: unary(() => ({ replicas: parts.hosted.states() })),
  };
}
