import { describe, expect, it } from 'vitest';
import { Random } from './random.js';

const draws = (seed: number, n = 8) => {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => rng.nextUint32());
};

describe('Random', () => {
  it('gives the same sequence for the same seed, and a different one for another seed', () => {
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
  });

  it('keeps its sequence across releases (the committed example models depend on it)', () => {
    const rng = new Random(1);
    expect([rng.nextUint32(), rng.nextUint32(), rng.next(), rng.normal()]).toEqual([
      2442144158, 3238099751, 0.8893939366098493, -1.1407363210438066,
    ]);
  });

  it('draws uniforms in [0, 1) and integers within bounds', () => {
    const rng = new Random(7);
    for (let i = 0; i < 10_000; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      const k = rng.int(-2, 3);
      expect(Number.isInteger(k) && k >= -2 && k <= 3).toBe(true);
    }
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const rng = new Random(3);
    const xs = Array.from({ length: 20_000 }, () => rng.normal(5, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(5, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('draws categories in proportion to their weights, never a zero weight', () => {
    const rng = new Random(11);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[rng.categorical([1, 0, 3, 0])]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[2]! / 20_000).toBeCloseTo(0.75, 1);
    expect(rng.pick(['only'])).toBe('only');
  });

  it('draws Poisson counts with the requested mean', () => {
    const rng = new Random(5);
    const xs = Array.from({ length: 20_000 }, () => rng.poisson(1.7));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(1.7, 1);
  });

  it('shuffles into a permutation', () => {
    const shuffled = new Random(9).shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect([...shuffled].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(shuffled).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
