import * as fs from 'node:fs';

/**
 * Replaces `file` with `bytes` so a crash leaves the old file or the whole new one: writes a
 * temporary beside it (a name open removes), syncs it, renames it over. The caller syncs the
 * directory, once for however many entries it changed.
 */
export function writeFileDurably(file: string, bytes: Buffer): void {
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}
