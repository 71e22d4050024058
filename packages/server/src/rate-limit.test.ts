import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

describe('token bucket', () => {
  it('is off at 0 per second', () => {
    const limiter = createRateLimiter({ perSecond: 0 });
    expect(limiter.enabled).toBe(false);
    for (let i = 0; i < 1000; i++) expect(limiter.take('k', 0).ok).toBe(true);
  });

  // [perSecond, burst, request times in ms, expected outcomes (true = allowed, number = Retry-After s)]
  const cases: [number, number | undefined, number[], (true | number)[]][] = [
    [1, 3, [0, 0, 0, 0], [true, true, true, 1]],
    [1, 3, [0, 0, 0, 1000], [true, true, true, true]],
    [0.5, 2, [0, 0, 0, 1000, 2000], [true, true, 2, 1, true]],
    [10, undefined, Array<number>(11).fill(0), [...Array<true>(10).fill(true), 1]],
    [0.1, 1, [0, 0, 5000], [true, 10, 5]],
  ];
  for (const [perSecond, burst, times, expected] of cases) {
    it(`${perSecond}/s burst ${burst ?? 'default'} at ${times.join(',')} ms`, () => {
      const limiter = createRateLimiter({ perSecond, ...(burst === undefined ? {} : { burst }) });
      expect(times.map((at) => limiter.take('k', at)).map((d) => (d.ok ? true : d.retryAfterSeconds))).toEqual(expected);
    });
  }

  it('keeps keys apart', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 });
    expect([limiter.take('a', 0).ok, limiter.take('a', 0).ok, limiter.take('b', 0).ok]).toEqual([true, false, true]);
  });

  it('drops full buckets once many keys exist, without forgetting an empty one', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.take('hot', 0).ok).toBe(true);
    for (let i = 0; i < 10_001; i++) limiter.take(`k${i}`, 500);
    expect(limiter.take('hot', 600).ok).toBe(false);
  });
});
