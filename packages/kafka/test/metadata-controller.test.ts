import { controllerFor } from '../src/apis/metadata';

describe('the controller Metadata names', () => {
  it('is the metadata-log leader when that broker is listed', () => {
    expect(controllerFor(2, 1, new Set([1, 2, 3]))).toBe(2);
  });

  it('is this broker while the metadata log has no leader, or its leader is not listed', () => {
    expect(controllerFor(0, 1, new Set([1, 2, 3]))).toBe(1);
    expect(controllerFor(4, 3, new Set([1, 2, 3]))).toBe(3);
  });

  it('is a listed broker when this one is not listed, and -1 only when none is', () => {
    expect(controllerFor(0, 5, new Set([2, 3]))).toBe(2);
    expect(controllerFor(0, 5, new Set())).toBe(-1);
  });
});
