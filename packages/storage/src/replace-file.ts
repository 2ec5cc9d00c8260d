import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncDirectory } from './file-io';

/**
 * Replaces `dir/name` with `data` by writing a temporary file beside it and renaming that over
 * it, so a crash leaves the old contents or the new, never a torn mix (an open of the directory
 * removes a temporary left behind). `durable` also fsyncs the file and the directory, so the new
 * contents survive a power loss too, not only a killed process.
 */
export function replaceFile(dir: string, name: string, data: string | Uint8Array, durable: boolean): void {
  const target = path.join(dir, name);
  const temporary = `${target}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeFileSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, target);
  if (durable) syncDirectory(dir);
}
