import { WaitingSends } from '../../src/producer/waiting-sends';

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(err: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('WaitingSends', () => {
  it('joins in the order added even when a later send is prepared first, and a failed one does not hold the rest', async () => {
    const sends = new WaitingSends();
    const joined: string[] = [];
    const first = deferred<string>();
    const second = deferred<string>();
    const third = deferred<string>();
    const join = async (name: string): Promise<string> => (joined.push(name), name);
    const results = [
      sends.add(() => first.promise, join),
      sends.add(() => second.promise, join),
      sends.add(() => third.promise, join),
    ];
    expect(sends.none).toBe(false);
    third.resolve('c');
    second.reject(new Error('no metadata'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(joined).toEqual([]);
    first.resolve('a');
    await expect(results[0]).resolves.toBe('a');
    await expect(results[1]).rejects.toThrow('no metadata');
    await expect(results[2]).resolves.toBe('c');
    expect(joined).toEqual(['a', 'c']);
    await sends.joined();
    expect(sends.none).toBe(true);
  });
});
