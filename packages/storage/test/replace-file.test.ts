import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '@gregor/storage';
import { tempDir } from './helpers';

describe('replaceFile', () => {
  it.each(['process', 'file', 'all'] as const)('replaces the contents whole and leaves no temporary behind (durability: %s)', (durability) => {
    const dir = tempDir('gregor-replace-');
    replaceFile(dir, 'point', 'old', durability);
    // What a crash between writing the temporary and renaming it leaves.
    fs.writeFileSync(path.join(dir, 'point.tmp'), 'torn, longer than what replaces it');
    replaceFile(dir, 'point', Buffer.from('new'), durability);
    expect(fs.readFileSync(path.join(dir, 'point'), 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['point']);
  });
});
