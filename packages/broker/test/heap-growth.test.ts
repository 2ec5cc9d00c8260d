import { spawnSync } from 'child_process';
import { heapGrowingFlag } from '../src/heap-growth';

describe('heapGrowingFlag', () => {
  it('is a flag V8 knows, taking the percent', () => {
    expect(heapGrowingFlag(300)).toBe('--heap-growing-percent=300');
    const v8Options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    expect(v8Options).toMatch(/--heap-growing-percent \(specifies heap growing factor as \(1 \+ heap_growing_percent\/100\)\)/);
  });
});
