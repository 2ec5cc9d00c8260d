import { Progress } from '../src/progress';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('Progress', () => {
  it('shows records, bytes and rates on a terminal', () => {
    const { stream, written } = fakeStream(true);
    const progress = new Progress('produced', stream);
    progress.add(1000, 2 * 1048576);
    progress.finish();
    expect(written.join('')).toMatch(/^\rproduced 1000 records, 2\.0 MiB \(\d+ rec\/s, [\d.]+ MiB\/s\)\n$/);
  });

  it('stays silent when output is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const progress = new Progress('consumed', stream);
    progress.add(5, 5);
    progress.finish();
    expect(written).toEqual([]);
  });
});
