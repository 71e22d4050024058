import { Random } from '@slipway/modelkit';
import { describe, expect, it } from 'vitest';
import { shuffled, zipfSampler } from './zipf.js';

describe('zipfSampler', () => {
  it('draws rank k with probability ∝ 1/(k+1)^s, the same sequence for the same seed', () => {
    const [n, s, draws] = [100, 1.1, 200_000];
    const draw = zipfSampler(n, s, new Random(1));
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) counts[draw()]!++;
    const total = Array.from({ length: n }, (_, k) => (k + 1) ** -s).reduce((a, b) => a + b);
    expect(counts[0]! / draws).toBeCloseTo(1 / total, 2);
    expect(counts[9]! / draws).toBeCloseTo(10 ** -s / total, 2);
    expect(counts.every((c) => c > 0)).toBe(true);

    const again = zipfSampler(n, s, new Random(1));
    const other = zipfSampler(n, s, new Random(1));
    expect(Array.from({ length: 50 }, again)).toEqual(Array.from({ length: 50 }, other));
  });
});

describe('shuffled', () => {
  it('permutes the items, deterministically per seed', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = shuffled(items, new Random(7));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
    expect(shuffled(items, new Random(7))).toEqual(a);
  });
});
