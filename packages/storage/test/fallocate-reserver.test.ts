import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FallocateReserver } from '@gregor/storage';
import { allocatedBytes, tempDir } from './helpers';

const MiB = 1024 * 1024;

describe('FallocateReserver', () => {
  let reserver: FallocateReserver;
  beforeEach(() => {
    reserver = FallocateReserver.start();
  });
  afterEach(() => reserver.close());

  it('reserves blocks past the end without changing the file size or bytes', async () => {
    const file = path.join(tempDir(), 'with a space.log');
    fs.writeFileSync(file, 'kept bytes');
    expect(await reserver.reserve(file, 10, 4 * MiB)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('kept bytes');
    expect(allocatedBytes(file)).toBeGreaterThanOrEqual(4 * MiB);
  });

  it('answers requests in order, and false for a missing file or a path it cannot send', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.log');
    fs.writeFileSync(file, '');
    const answers = await Promise.all([
      reserver.reserve(path.join(dir, 'missing.log'), 0, MiB),
      reserver.reserve(file, 0, MiB),
      reserver.reserve(`${file}\nsecond line`, 0, MiB),
      reserver.reserve(file, -1, MiB),
    ]);
    expect(answers).toEqual([false, true, false, false]);
  });

  it('says why it is unavailable when fallocate cannot be found, and refuses every request', () => {
    const file = path.join(tempDir(), 'a.log');
    fs.writeFileSync(file, '');
    // Jest gives tests their own process.env, so the PATH without fallocate goes to a node process
    // of its own, which loads the built package.
    const script = `
      const { FallocateReserver } = require(${JSON.stringify(path.resolve(__dirname, '../dist/index.js'))});
      // The helper does not keep a process alive; this timer does, until the answer.
      const keepAlive = setTimeout(() => undefined, 10000);
      const reserver = FallocateReserver.start((reason) => {
        reserver.reserve(${JSON.stringify(file)}, 0, 1 << 20).then((reserved) => {
          console.log(JSON.stringify({ reason, reserved }));
          clearTimeout(keepAlive);
        });
      });`;
    const run = spawnSync(process.execPath, ['-e', script], { env: { PATH: tempDir() }, encoding: 'utf8', timeout: 10_000 });
    expect(JSON.parse(run.stdout)).toEqual({ reason: 'fallocate (util-linux) is not installed', reserved: false });
    expect(allocatedBytes(file)).toBe(0);
  });

  it('answers false once closed', async () => {
    const file = path.join(tempDir(), 'a.log');
    fs.writeFileSync(file, '');
    reserver.close();
    expect(await reserver.reserve(file, 0, MiB)).toBe(false);
    expect(allocatedBytes(file)).toBe(0);
  });
});
