import { describe, expect, it } from 'vitest';
import { correlateWindows, pearson, spearman } from './correlation.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('correlation against scipy', () => {
  it.each(fixtures.correlation)('$name', ({ x, y, pearson: r, spearman: rho }) => {
    expectClose(pearson(x, y), r, 1e-12);
    expectClose(spearman(x, y), rho, 1e-12);
  });

  it.each([
    ['one pair', [1], [2]],
    ['a constant series', [1, 2, 3], [4, 4, 4]],
  ])('undefined for %s', (_, x, y) => {
    expect(pearson(x, y)).toBeNull();
    expect(spearman(x, y)).toBeNull();
  });
});

describe('correlateWindows', () => {
  it('joins on the window and skips windows missing from either side', () => {
    const kpi = [
      { window: '10:00', value: 5 },
      { window: '10:05', value: 7 },
      { window: '10:10', value: 9 },
      { window: '10:15', value: 4 },
    ];
    const accuracy = [
      { window: '10:05', value: 0.8 },
      { window: '10:10', value: 0.9 },
      { window: '10:00', value: 0.7 },
      { window: '10:20', value: 0.1 },
    ];
    expect(correlateWindows(kpi, accuracy)).toEqual({ windows: 3, pearson: expect.closeTo(1, 12) as number, spearman: expect.closeTo(1, 12) as number });
  });
});
