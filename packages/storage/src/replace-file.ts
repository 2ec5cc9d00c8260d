import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDirectory } from './file-io';

/**
 * What a replaced file survives. `process`: a killed process (the rename alone). `file`: a power
 * loss too, as far as the file's bytes go; the caller syncs the directory, once for however many
 * entries it changed. `all`: a power loss, the directory entry included.
 */
export type Durability = 'process' | 'file' | 'all';

/**
 * Replaces `dir/name` with `data` by writing a temporary file beside it and renaming that over
 * it, so a crash leaves the old contents or the new, never a torn mix (an open of the directory
 * removes a temporary left behind).
 */
export function replaceFile(dir: string, name: string, data: string | Uint8Array, durability: Durability): void {
  const target = path.join(dir, name);
  const temporary = `${target}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeFileSync(fd, data);
    if (durability !== 'process') fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, target);
  if (durability === 'all') syncDirectory(dir);
}
