import type { Role } from '@gregor/raft';
import { Controller } from '../controller/controller';
import type { CommandResult, MetadataCommand } from '../controller/metadata-commands';
import type { PeerTransport } from '../replication/peer-transport';
import type { ClusterNodeOptions } from './cluster-node';

export interface ControllerWiring {
  transport: PeerTransport;
  forward(leader: number, command: MetadataCommand): Promise<CommandResult>;
  /** Controller leadership moved to this broker. */
  onLeading(): void;
}

/** Opens this broker's replica of the metadata log: a voter if it is one of the topology's controllers, else a learner. */
export function openController(options: ClusterNodeOptions, wiring: ControllerWiring): Promise<Controller> {
  const { topology } = options;
  return Controller.open({
    brokerId: topology.brokerId,
    voters: topology.controllers,
    learners: [...topology.peers.keys()].filter((id) => !topology.controllers.includes(id)),
    dir: options.metadataDir,
    state: options.state,
    transport: wiring.transport,
    random: options.random,
    electionTick: options.electionTick,
    heartbeatTick: options.heartbeatTick,
    forward: wiring.forward,
    logger: options.logger,
    onLeaderChange: (_leader: number, role: Role) => {
      if (role === 'leader') wiring.onLeading();
    },
  });
}
