import * as fs from 'fs';
import { open, RootDatabase } from 'lmdb';

/**
 * This broker's lmdb environment, where the ClusterState materialised from the metadata log
 * lives. Writes resolve once lmdb has committed them durably.
 */
export class MetadataStore {
  private constructor(readonly root: RootDatabase) {}

  static async open(dir: string): Promise<MetadataStore> {
    await fs.promises.mkdir(dir, { recursive: true });
    return new MetadataStore(open({ path: dir }));
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
