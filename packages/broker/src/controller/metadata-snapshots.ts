import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotMeta } from '@gregor/raft';
import { replaceFile } from '@gregor/storage';
import type { StateSnapshots } from '../replication/partition-raft-storage';
import type { ClusterState } from './cluster-state';

const PREFIX = 'state-';
const SUFFIX = '.json';

function fileName(index: number): string {
  return `${PREFIX}${String(index).padStart(20, '0')}${SUFFIX}`;
}

/**
 * Snapshots of the cluster metadata state, one file per snapshot point in the metadata log's
 * directory: the newest is what the log starts after, and what a controller too far behind is
 * sent instead of the entries the log no longer holds. Older ones are removed once a newer is durable.
 */
export class MetadataSnapshots implements StateSnapshots {
  constructor(
    private readonly dir: string,
    private readonly state: ClusterState,
  ) {}

  data(meta: SnapshotMeta): Uint8Array {
    return fs.readFileSync(path.join(this.dir, fileName(meta.lastIndex)));
  }

  /** A leader's snapshot: the state takes its contents, then it is kept as this broker's own. */
  install(meta: SnapshotMeta, data: Uint8Array): void {
    this.state.restore(data);
    this.write(meta.lastIndex, data);
  }

  /** Writes the snapshot at `index` durably, then removes the older ones. */
  write(index: number, data: Uint8Array): void {
    replaceFile(this.dir, fileName(index), data, 'all');
    for (const name of fs.readdirSync(this.dir)) {
      if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && name < fileName(index)) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }
}
