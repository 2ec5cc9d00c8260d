import * as fs from 'node:fs';
import * as path from 'node:path';
import { CRC_POS, MAGIC_POS } from '@gregor/records';
import { makeBatch, openLog, readAllValues, tempDir } from './helpers';

describe('bad batches are rejected with a typed error and leave the log untouched', () => {
  const cases: [string, (b: Buffer) => Buffer, string][] = [
    ['a wrong CRC', (b) => (b.writeUInt32BE((b.readUInt32BE(CRC_POS) + 1) >>> 0, CRC_POS), b), 'CORRUPT_BATCH'],
    ['a wrong magic', (b) => (b.writeInt8(1, MAGIC_POS), b), 'INVALID_MAGIC'],
    ['a length beyond the bytes given', (b) => b.subarray(0, b.length - 1), 'BATCH_LENGTH_MISMATCH'],
    ['fewer than 61 bytes', (b) => b.subarray(0, 40), 'BATCH_TOO_SHORT'],
    ['more than max.message.bytes', () => makeBatch(50, { valueBytes: 100 }), 'BATCH_TOO_LARGE'],
    ['trailing bytes after the batch', (b) => Buffer.concat([b, Buffer.alloc(5)]), 'INVALID_BATCH'],
  ];

  it.each(cases)('%s', async (_name, mutate, code) => {
    const dir = tempDir();
    const log = await openLog(dir, { maxMessageBytes: 2048 });
    await log.append(makeBatch(3, { tag: 'kept' }));
    const logPath = path.join(dir, '00000000000000000000.log');
    const before = fs.readFileSync(logPath);
    const err = await log.append(mutate(makeBatch(2))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    expect((err as Error).message.length).toBeGreaterThan(10);
    await expect(log.appendAsFollower(mutate(makeBatch(2, { tag: 'f' })))).rejects.toHaveProperty('code');
    expect(fs.readFileSync(logPath)).toEqual(before);
    expect(log.logEndOffset).toBe(3);
    expect((await readAllValues(log)).map((v) => v.value.slice(0, 6))).toEqual(['kept-0', 'kept-1', 'kept-2']);
    await log.close();
  });

  it('rejects invalid configuration with INVALID_CONFIG', async () => {
    await expect(openLog(tempDir(), { segmentBytes: 10 })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    const log = await openLog(tempDir());
    expect(() => log.updateConfig({ retentionMs: -7 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(log.config().retentionMs).toBe(7 * 24 * 60 * 60 * 1000);
    await log.close();
  });
});
