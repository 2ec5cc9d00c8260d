import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';

/**
 * Starts adding broker `id` to the metadata log's voters, or removing it, and returns the voters
 * the log moves to. The metadata leader carries the change out one Raft membership change at a
 * time: an added broker votes once its copy of the log has caught up; a removed one stays a
 * learner, following the metadata as every broker does. A new change replaces one in progress.
 */
export async function changeController(ctx: BrokerContext, action: 'add' | 'remove', id: number): Promise<number[]> {
  const voters = [...ctx.cluster.controller.replica.node.raft.tracker.config.voters].sort((a, b) => a - b);
  const pending = ctx.cluster.state.controllerChange;
  // Removing a broker that is only being added (say it died before it caught up) calls that off.
  const callsOff = action === 'remove' && !voters.includes(id) && pending?.includes(id) === true;
  if (action === 'add' && voters.includes(id)) throw new BrokerError('INVALID_REQUEST', `broker ${id} is already a controller (controllers are ${voters.join(',')})`);
  if (action === 'remove' && !voters.includes(id) && !callsOff) throw new BrokerError('INVALID_REQUEST', `broker ${id} is not a controller (controllers are ${voters.join(',')})`);
  const target = callsOff ? voters : action === 'add' ? [...voters, id].sort((a, b) => a - b) : voters.filter((v) => v !== id);
  await ctx.cluster.propose({ type: 'changeControllers', from: voters, target });
  return target;
}
