import * as fs from 'node:fs';
import { readHeaders } from '../src/header-reader';
import { makeBatch, openLog, segmentFiles, tempDir } from './helpers';

const READ_BYTES = 64 * 1024;

describe('reading batch headers', () => {
  it('finds every batch among small ones, ones larger than a read, and a header across the end of a read', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    // A first batch ending 30 bytes before the end of the first read puts the next header across it.
    let valueBytes = READ_BYTES - 200;
    while (makeBatch(1, { valueBytes }).length < READ_BYTES - 30) valueBytes++;
    const first = makeBatch(1, { valueBytes });
    expect(first.length).toBe(READ_BYTES - 30);
    const bases = [(await log.append(first)).baseOffset];
    for (const count of [1, 1, 700, 1, 900, 2, 2, 300]) bases.push((await log.append(makeBatch(count, { valueBytes: 200 }))).baseOffset);
    expect([...log.batchHeaders()].map((header) => header.baseOffset)).toEqual(bases);
    expect([...log.batchHeaders(bases[3] + 1)].map((header) => header.baseOffset)).toEqual(bases.slice(3));
    await log.close();
  });

  it('refuses a batch length shorter than a header', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    await log.append(makeBatch(2));
    await log.close();
    const file = `${dir}/${segmentFiles(dir, '.log')[0]}`;
    const bytes = fs.readFileSync(file);
    bytes.writeInt32BE(10, 8);
    fs.writeFileSync(file, bytes);
    const fd = fs.openSync(file, 'r');
    expect(() => [...readHeaders(fd, bytes.length, 0)]).toThrow(expect.objectContaining({ code: 'CORRUPT_LOG' }));
    fs.closeSync(fd);
  });
});
