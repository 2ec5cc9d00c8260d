import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '@gregor/storage';
import { tempDir } from './helpers';

describe('replaceFile', () => {
  it.each([true, false])('replaces the contents whole and leaves no temporary behind (durable: %s)', (durable) => {
    const dir = tempDir('gregor-replace-');
    replaceFile(dir, 'point', 'old', durable);
    // What a crash between writing the temporary and renaming it leaves.
    fs.writeFileSync(path.join(dir, 'point.tmp'), 'torn, longer than what replaces it');
    replaceFile(dir, 'point', Buffer.from('new'), durable);
    expect(fs.readFileSync(path.join(dir, 'point'), 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['point']);
  });
});
