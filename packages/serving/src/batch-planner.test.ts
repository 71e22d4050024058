import { describe, expect, it } from 'vitest';
import { type BatchPlan, type BatchingConfig, planBatch } from './batch-planner.js';

const config = (maxBatchSize: number, preferredBatchSizes: number[] = [], maxDelayMicros = 2000): BatchingConfig => ({
  maxBatchSize,
  maxDelayMicros,
  preferredBatchSizes,
});

/** Requests of the given rows, queued at t = 100, 101, 102... ms. */
const pending = (...rows: number[]) => rows.map((r, i) => ({ rows: r, enqueuedAt: 100 + i }));

const NOW = 101; // the oldest has waited 1 ms of its 2 ms delay

describe('planBatch', () => {
  const table: [string, Parameters<typeof planBatch>[0], BatchPlan][] = [
    ['nothing pending: nothing to wake for', { pending: [], config: config(4), now: NOW }, { action: 'wait', until: Infinity }],
    ['under the limit: wait until the oldest has waited maxDelay', { pending: pending(1, 1), config: config(4), now: NOW }, { action: 'wait', until: 102 }],
    ['the delay counts from the oldest, not the newest', { pending: pending(1, 1, 1), config: config(8), now: 101.999 }, { action: 'wait', until: 102 }],
    ['delay over: dispatch what is there', { pending: pending(1, 2), config: config(8), now: 102 }, { action: 'dispatch', count: 2, rows: 3, reason: 'delay' }],
    ['delay 0: dispatch at once', { pending: pending(1), config: config(8, [], 0), now: 100 }, { action: 'dispatch', count: 1, rows: 1, reason: 'delay' }],
    ['exactly maxBatchSize rows: full', { pending: pending(1, 3), config: config(4), now: NOW }, { action: 'dispatch', count: 2, rows: 4, reason: 'full' }],
    ['one request of maxBatchSize rows: full', { pending: pending(4), config: config(4), now: NOW }, { action: 'dispatch', count: 1, rows: 4, reason: 'full' }],
    ['the next request does not fit: full, without it', { pending: pending(2, 1, 3), config: config(4), now: NOW }, { action: 'dispatch', count: 2, rows: 3, reason: 'full' }],
    ['never skips ahead to fill the batch', { pending: pending(3, 2, 1), config: config(4), now: NOW }, { action: 'dispatch', count: 1, rows: 3, reason: 'full' }],
    ['rows beyond maxBatchSize wait for the next batch', { pending: pending(1, 1, 1, 1, 1, 1), config: config(4), now: NOW }, { action: 'dispatch', count: 4, rows: 4, reason: 'full' }],
    ['a preferred size reached: dispatch at once', { pending: pending(1, 1), config: config(8, [2, 6]), now: NOW }, { action: 'dispatch', count: 2, rows: 2, reason: 'preferred' }],
    ['the largest preferred size whole requests make up', { pending: pending(1, 1, 2, 2, 1), config: config(16, [2, 4, 6, 8]), now: NOW }, { action: 'dispatch', count: 4, rows: 6, reason: 'preferred' }],
    ['rows past a preferred size stay for the next batch', { pending: pending(2, 2, 1), config: config(16, [4, 8]), now: NOW }, { action: 'dispatch', count: 2, rows: 4, reason: 'preferred' }],
    ['a preferred size only reachable by splitting a request does not count', { pending: pending(3, 3), config: config(8, [4]), now: NOW }, { action: 'wait', until: 102 }],
    ['full wins over preferred', { pending: pending(2, 2, 4), config: config(6, [2, 4]), now: NOW }, { action: 'dispatch', count: 2, rows: 4, reason: 'full' }],
    ['flush: what fits, now, ignoring preferred sizes', { pending: pending(2, 1), config: config(8, [2]), now: NOW, flush: true }, { action: 'dispatch', count: 2, rows: 3, reason: 'flush' }],
    ['flush still never exceeds maxBatchSize', { pending: pending(3, 3), config: config(4), now: NOW, flush: true }, { action: 'dispatch', count: 1, rows: 3, reason: 'full' }],
    ['zero-row requests ride along', { pending: pending(0, 2, 0), config: config(2), now: NOW }, { action: 'dispatch', count: 3, rows: 2, reason: 'full' }],
    ['sub-millisecond delays', { pending: pending(1), config: config(4, [], 250), now: 100 }, { action: 'wait', until: 100.25 }],
  ];

  it.each(table)('%s', (_, input, expected) => {
    expect(planBatch(input)).toEqual(expected);
  });

  it('refuses a request larger than maxBatchSize, which must be chunked first', () => {
    expect(() => planBatch({ pending: pending(5), config: config(4), now: NOW })).toThrow(/5 rows, more than maxBatchSize \(4\); chunk it first/);
  });

  it('reads only the prefix that fits, however long the queue', () => {
    let reads = 0;
    const long = Array.from({ length: 10_000 }, (_, i) => ({
      get rows() {
        reads++;
        return 1;
      },
      enqueuedAt: i,
    }));
    expect(planBatch({ pending: long, config: config(8), now: 0 })).toMatchObject({ count: 8 });
    expect(reads).toBeLessThanOrEqual(9);
  });
});
