import { readBatchHeader } from '@gregor/records';
import { StorageError } from '@gregor/storage';
import { makeBatch, openLog, readAllValues, tempDir } from './helpers';

describe('PartitionLog append and read', () => {
  it('assigns offsets from the log end and stamps the term into partitionLeaderEpoch', async () => {
    const log = await openLog(tempDir());
    const first = await log.append(makeBatch(3), 7);
    const second = await log.append(makeBatch(2), 8);
    expect(first).toMatchObject({ baseOffset: 0, lastOffset: 2 });
    expect(second).toMatchObject({ baseOffset: 3, lastOffset: 4 });
    expect(log.logEndOffset).toBe(5);
    const { bytes, nextOffset } = await log.read(0, 1 << 20);
    expect(nextOffset).toBe(5);
    const header = readBatchHeader(bytes, 0);
    expect(header.baseOffset).toBe(0);
    expect(header.partitionLeaderEpoch).toBe(7);
    expect(log.termAt(4)).toBe(8);
    expect(log.lastBatch()).toEqual({ lastOffset: 4, term: 8 });
    await log.close();
  });

  it('reads batch-aligned bytes starting at the batch that holds the offset', async () => {
    const log = await openLog(tempDir());
    for (let i = 0; i < 5; i++) await log.append(makeBatch(4, { tag: `b${i}` }));
    const { bytes, nextOffset } = await log.read(6, 1 << 20);
    expect(readBatchHeader(bytes, 0).baseOffset).toBe(4);
    expect(nextOffset).toBe(20);
    await log.close();
  });

  it('leaves the headroom asked for free before the bytes it reads, which are the same bytes', async () => {
    const log = await openLog(tempDir());
    // Reads past Buffer's 4 KiB pool threshold get a buffer of their own, so the offset into it is the headroom.
    for (let i = 0; i < 3; i++) await log.append(makeBatch(4, { tag: `h${i}`, valueBytes: 1000 }));
    const plain = await log.read(0, 1 << 20);
    const roomy = await log.read(0, 1 << 20, Number.MAX_SAFE_INTEGER, 40);
    expect(roomy.nextOffset).toBe(plain.nextOffset);
    expect(roomy.bytes.equals(plain.bytes)).toBe(true);
    expect(plain.bytes.byteOffset).toBe(0);
    expect(roomy.bytes.byteOffset).toBe(40);
    await log.close();
  });

  it('returns whole batches within maxBytes, and one whole batch even when it is larger', async () => {
    const log = await openLog(tempDir());
    const batch = makeBatch(10, { valueBytes: 200 });
    const size = batch.length;
    for (let i = 0; i < 4; i++) await log.append(makeBatch(10, { valueBytes: 200 }));
    const two = await log.read(0, size * 2 + size / 2);
    expect(two.bytes.length).toBe(size * 2);
    expect(two.nextOffset).toBe(20);
    const tiny = await log.read(0, 10);
    expect(tiny.bytes.length).toBe(size);
    expect(tiny.nextOffset).toBe(10);
    await log.close();
  });

  it('never returns a batch at or above maxOffset (the high watermark)', async () => {
    const log = await openLog(tempDir());
    for (let i = 0; i < 3; i++) await log.append(makeBatch(5));
    const below = await log.read(0, 1 << 20, 10);
    expect(below.nextOffset).toBe(10);
    const atWatermark = await log.read(10, 1 << 20, 10);
    expect(atWatermark.bytes.length).toBe(0);
    expect(atWatermark.nextOffset).toBe(10);
    await log.close();
  });

  it('returns nothing at the log end and OFFSET_OUT_OF_RANGE naming start and end beyond it', async () => {
    const log = await openLog(tempDir());
    await log.append(makeBatch(2));
    expect((await log.read(2, 100)).bytes.length).toBe(0);
    const err = await log.read(3, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('OFFSET_OUT_OF_RANGE');
    expect((err as StorageError).message).toMatch(/from 0 up to \(not including\) 2/);
    await expect(log.read(-1, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await log.close();
  });

  it('keeps records intact across segments when read back sequentially', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 4096 });
    for (let i = 0; i < 40; i++) await log.append(makeBatch(3, { tag: `s${i}`, valueBytes: 100 }));
    expect(log.segmentCount).toBeGreaterThan(2);
    const values = await readAllValues(log, 1000);
    expect(values).toHaveLength(120);
    expect(values.map((v) => v.offset)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(values[119].value.startsWith('s39-2')).toBe(true);
    await log.close();
  });

  it('readNow returns what read returns, and batchAt names the batch holding an offset', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 2048 });
    for (let i = 0; i < 20; i++) await log.append(makeBatch(4, { valueBytes: 60 }), 10 + i);
    for (const offset of [0, 3, 37, 79]) {
      expect(log.readNow(offset, 3000, 60)).toEqual(await log.read(offset, 3000, 60));
    }
    expect(log.batchAt(37)).toEqual({ baseOffset: 36, lastOffset: 39, term: 19, hasRecords: true });
    expect(log.batchAt(80)).toBeNull();
    await log.close();
  });

  it('batchHeaders walks every batch header from the batch holding an offset, across segments', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 1024 });
    for (let i = 0; i < 12; i++) await log.append(makeBatch(3, { valueBytes: 60 }), i);
    expect(log.segmentCount).toBeGreaterThan(2);
    expect([...log.batchHeaders()].map((h) => h.baseOffset)).toEqual(Array.from({ length: 12 }, (_, i) => i * 3));
    expect([...log.batchHeaders(17)].map((h) => [h.baseOffset, h.partitionLeaderEpoch])[0]).toEqual([15, 5]);
    await log.close();
  });

  it('refuses work after close', async () => {
    const log = await openLog(tempDir());
    await log.close();
    await expect(log.append(makeBatch(1))).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    await expect(log.read(0, 1)).rejects.toMatchObject({ code: 'LOG_CLOSED' });
  });
});
