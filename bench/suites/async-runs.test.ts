import type { RunRecord } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { asyncRunCount, summarizeAsyncRuns } from './async-runs.js';

const run = (state: RunRecord['state'], enqueued: number, queueMs: number, finished: number, computeMs = 1): RunRecord =>
  ({
    state,
    timings: { enqueuedAt: new Date(enqueued).toISOString(), startedAt: null, finishedAt: new Date(finished).toISOString(), queueMs, computeMs },
  }) as RunRecord;

describe('async runs suite', () => {
  it('submits 200 runs per second of duration, between 100 and the list limit', () => {
    expect([0.1, 1, 2, 60].map((duration) => asyncRunCount({ duration }))).toEqual([100, 200, 400, 1000]);
  });

  it('counts completed runs over first enqueue → last finish, and takes percentiles of waits', () => {
    const t0 = Date.parse('2026-01-01T00:00:00.000Z');
    const summary = summarizeAsyncRuns([run('completed', t0, 2, t0 + 500), run('completed', t0 + 100, 10, t0 + 1000, 3), run('failed', t0 + 200, 1, t0 + 300)], [4, 1, 9]);
    expect(summary).toEqual({ submitted: 3, completed: 2, failed: 1, throughput: 2, submitP50: 4, submitP99: 9, startP50: 2, startP99: 10, computeP50: 1 });
  });
});
