import { BrokerError } from '../errors';
import type { Controller } from '../controller/controller';
import { CommandResult, MetadataCommand, parseCommand } from '../controller/metadata-commands';
import type { PeerClients } from './peer-clients';

const PEER_CALL_TIMEOUT_MS = 5000;

/** Runs a metadata command on the controller leader, broker `leader`, for a broker that is not it. */
export async function forwardToController(clients: PeerClients, leader: number, command: MetadataCommand): Promise<CommandResult> {
  try {
    const response = await clients.call<{ command: string }, { result: string }>(leader, 'propose', { command: JSON.stringify(command) }, PEER_CALL_TIMEOUT_MS);
    return JSON.parse(response.result) as CommandResult;
  } catch (err) {
    throw new BrokerError('LEADER_NOT_AVAILABLE', `the controller leader (broker ${leader}) did not answer: ${(err as Error).message}`);
  }
}

/** The controller leader's side of forwardToController. */
export async function proposeForwarded(controller: Controller, command: string): Promise<{ result: string }> {
  const parsed = parseCommand(command);
  if (!parsed) throw new BrokerError('INVALID_REQUEST', 'not a metadata command');
  return { result: JSON.stringify(await controller.proposeLocally(parsed)) };
}
