import { RaftInvariantError } from './errors';
import { entrySize } from './log-storage';
import { Progress } from './progress';
import type { Raft } from './raft';
import { Message, NodeId } from './types';

/*
 * Log replication, both ends: how a follower takes AppendEntries, heartbeats
 * and snapshots, and how the leader sends them and reacts to the answers.
 */

export function handleAppend(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    r.acknowledgeAppend(m.from, r.log.committed);
    return;
  }
  const entries = m.entries ?? [];
  const prevTerm = r.behaviour.prevTermToMatch(r.log, m.index, m.logTerm);
  const lastNew = r.log.maybeAppend(m.index, prevTerm, entries);
  if (lastNew !== undefined) {
    r.log.commitTo(Math.min(m.commit, lastNew));
    r.acknowledgeAppend(m.from, lastNew);
    return;
  }
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send('appendResponse', m.from, { index: m.index, reject: true, rejectHint: hint.lastIndex, logTerm: hint.term });
}

export function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit);
  r.send('heartbeatResponse', m.from, { context: m.context });
}

export function handleSnapshot(r: Raft, m: Message): void {
  const snap = m.snapshot;
  if (snap === undefined) return;
  const { lastIndex, term } = snap.meta;
  if (lastIndex <= r.log.committed) {
    r.acknowledgeAppend(m.from, r.log.committed);
    return;
  }
  if (r.log.matchTerm(lastIndex, term)) {
    // We already hold the snapshot's last entry: just move the commit index.
    r.log.commitTo(lastIndex);
  } else {
    r.log.restore(snap);
    r.tracker.setConfig(snap.meta.config, lastIndex + 1);
  }
  r.acknowledgeAppend(m.from, lastIndex);
}

export function handleAppendResponse(r: Raft, m: Message, pr: Progress): void {
  if (m.reject === true) {
    // Fast backtracking: skip every entry of a term the follower cannot hold.
    let probeAfter = r.log.findConflictByTerm(m.rejectHint ?? m.index, m.logTerm).lastIndex;
    if (probeAfter >= m.index) probeAfter = r.log.floor(m.index - 1)?.lastIndex ?? r.log.snapshotIndex() - 1;
    if (pr.maybeDecrTo(m.index, probeAfter)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      maybeSendAppend(r, m.from, true);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(m.index)) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot') {
    if (pr.match >= r.log.snapshotIndex()) {
      pr.becomeProbe();
      pr.becomeReplicate();
    }
  } else {
    pr.inflights.freeLE(m.index);
  }
  if (r.maybeCommit()) r.bcastAppend();
  else if (wasPaused) maybeSendAppend(r, m.from, true);
  while (maybeSendAppend(r, m.from, false)) {
    // Pipelining: keep sending while the inflight window has room.
  }
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) r.send('timeoutNow', m.from, {});
}

export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.tracker.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  if (prevTerm === undefined) {
    if (prevIndex < r.log.snapshotIndex()) return sendSnapshot(r, to, pr);
    throw new RaftInvariantError(`next index ${pr.next} for ${to} does not follow an entry of the leader's log`);
  }
  const entries = r.log.entriesAfter(prevIndex, r.cfg.maxSizePerMsg);
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send('append', to, { index: prevIndex, logTerm: prevTerm, entries, commit: r.log.committed });
  if (entries.length > 0) {
    let bytes = 0;
    for (const e of entries) bytes += entrySize(e);
    pr.sentEntries(entries[entries.length - 1].lastIndex, bytes);
  } else if (pr.state === 'probe') {
    pr.probeSent = true;
  }
  return true;
}

function sendSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  const snapshot = r.log.snapshot();
  r.send('snapshot', to, { snapshot });
  pr.becomeSnapshot(snapshot.meta.lastIndex);
  return true;
}
