import type { SnapshotMeta } from '@gregor/raft';
import type { PartitionLog } from '@gregor/storage';
import { offsetOfIndex } from './raft-index';
import type { ReplicaStateStore } from './replica-state-store';

/** The points after each durable step of an install, where a test can stop it as a crash would. */
export type InstallStep = 'point-saved' | 'log-reset' | 'mark-cleared';

export type AfterInstallStep = (step: InstallStep) => void;

const carryOn: AfterInstallStep = () => undefined;

/**
 * Replaces a replica's log with the start point a leader sent, so that a crash at any moment
 * leaves the old log under the old point or an empty log at the new point under the new one.
 * Saving the new point marked as owing a log reset is the commit point: before that rename the
 * old state stands whole; after it, opening the replica finishes the reset (finishInstall).
 */
export function installSnapshot(log: PartitionLog, state: ReplicaStateStore, meta: SnapshotMeta, afterStep = carryOn): void {
  state.saveSnapshotBeforeLogReset(meta);
  afterStep('point-saved');
  resetLogToPoint(log, state, afterStep);
}

/** Completes an install that a crash cut off after its commit point; does nothing otherwise. */
export function finishInstall(log: PartitionLog, state: ReplicaStateStore): void {
  if (state.logResetPending) resetLogToPoint(log, state, carryOn);
}

/** Redone whole after a crash at any point within it: a reset empties whatever is left. */
function resetLogToPoint(log: PartitionLog, state: ReplicaStateStore, afterStep: AfterInstallStep): void {
  const meta = state.snapshotMeta;
  log.resetTo(offsetOfIndex(meta.lastIndex + 1));
  afterStep('log-reset');
  state.saveSnapshot(meta);
  afterStep('mark-cleared');
}
