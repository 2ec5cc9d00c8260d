import { LocalCluster } from '../cluster';
import { FaultKind, FaultTargets } from './schedule';

/** Faults that need proxies between brokers. */
export const NETWORK_FAULTS: readonly FaultKind[] = ['isolate-leader', 'split', 'one-way'];

/**
 * Starts a fault on the cluster and returns what heals it. Killed brokers are
 * started again on heal; a broker that fails to start is reported through
 * `onError` and left for the final heal.
 */
export async function injectFault(
  cluster: LocalCluster,
  kind: FaultKind,
  targets: FaultTargets,
  onError: (message: string) => void,
): Promise<() => Promise<void>> {
  const { victims, others } = targets;
  const startAgain = async (): Promise<void> => {
    await Promise.all(
      victims.map((id) => cluster.start(id).catch((err: Error) => onError(`broker ${id} failed to start again: ${err.message.split('\n')[0]}`))),
    );
  };
  switch (kind) {
    case 'kill-leader':
    case 'kill-follower':
    case 'kill-all':
      await Promise.all(victims.map((id) => cluster.kill(id, 'SIGKILL')));
      return startAgain;
    case 'pause-leader':
      victims.forEach((id) => cluster.pause(id));
      return async () => victims.forEach((id) => cluster.resume(id));
    case 'isolate-leader':
      cluster.isolate(victims[0]);
      return async () => cluster.healNetwork();
    case 'split':
      cluster.split(victims, others);
      return async () => cluster.healNetwork();
    case 'one-way':
      cluster.oneWay(victims[0], others[0]);
      return async () => cluster.healNetwork();
    case 'restart':
      await Promise.all(victims.map((id) => cluster.kill(id, 'SIGTERM')));
      await startAgain();
      return async () => undefined;
  }
}
