import { describe, expect, it } from 'vitest';
import { resolveBenchConfig } from './config.js';
import type { LoadResult } from './load.js';
import { formatCells, formatTargets, mediansOf, problemsOf, renderTable, size, summarizeCell } from './report.js';

const ok = (rps: number, p50: number): LoadResult => ({ rps, p50, p99: p50 * 3, requests: rps, errors: 0, timeouts: 0, non2xx: 0, statusCodes: { 200: rps } });

describe('summarizeCell', () => {
  it('takes medians per server and the Slipway/baseline ratios', () => {
    const cell = summarizeCell('m', 1, 'bare', ['slipway', 'baseline', 'slipway'], {
      slipway: [ok(800, 0.3), ok(900, 0.2), ok(100, 0.9)],
      baseline: [ok(1000, 0.1), ok(1000, 0.1), ok(1200, 0.15)],
    });
    expect(cell.median.slipway).toEqual({ rps: 800, p50: 0.3, p99: 0.3 * 3 });
    expect(cell.ratio.throughput).toBe(0.8);
    expect(cell.ratio.pairedThroughput).toEqual([0.8, 0.9, 100 / 1200]);
    expect(cell.ratio.p50DiffMs).toBeCloseTo(0.2);
    expect(cell.problems).toEqual([]);
  });

  it('reports every repetition that saw a non-2xx or an error, loudly in the table', () => {
    const failed: LoadResult = { ...ok(500, 0.1), non2xx: 40, statusCodes: { 200: 460, 400: 40 } };
    const cell = summarizeCell('m', 32, 'python', ['slipway'], { slipway: [ok(1000, 0.1)], baseline: [failed] });
    expect(cell.problems).toEqual(['python rep 1: 40 non-2xx, 0 errors (0 timeouts); statuses 200×460, 400×40']);
    const table = formatCells([cell]).join('\n');
    expect(table).toContain('python req/s');
    expect(table).toContain('slipway/python');
    expect(table).toContain('!! FAILED REQUESTS');
    expect(table).toContain('!!   m c=32 python rep 1: 40 non-2xx');
  });
});

describe('a repetition without a single answer', () => {
  it('is a problem, and its NaN latencies stay out of the medians', () => {
    const stalled: LoadResult = { rps: 0, p50: NaN, p99: NaN, requests: 0, errors: 0, timeouts: 0, non2xx: 0, statusCodes: {} };
    expect(problemsOf('capped server', [ok(100, 1), stalled])).toEqual(['capped server rep 2: no answer during the whole repetition (the server stalled)']);
    expect(mediansOf([ok(100, 1), stalled, ok(300, 3)])).toEqual({ rps: 100, p50: 2, p99: 6 });
  });
});

describe('tables', () => {
  it('aligns the first column left and the others right', () => {
    expect(renderTable(['name', 'n'], [['a', '1'], ['bb', '100']])).toEqual(['name    n', 'a       1', 'bb    100']);
  });

  it('adds a column per cell and marks targets PASS or MISS', () => {
    const cell = summarizeCell('m', 64, 'bare', ['slipway'], { slipway: [ok(3000, 1)], baseline: [ok(1000, 2)] });
    expect(formatCells([cell], { header: 'mean batch', values: ['24.5'] })[1]).toMatch(/3\.00×.*24\.5$/);
    const lines = formatTargets([
      { name: 'a', goal: '≥ 2×', measured: '3×', met: true },
      { name: 'b', goal: '≥ 2×', measured: '1×', met: false },
    ]);
    expect(lines.filter((l) => /^\s+PASS\s+a/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^\s+MISS\s+b/.test(l))).toHaveLength(1);
    expect(formatTargets([])).toEqual([]);
  });

  it('writes sizes in the unit that reads best', () => {
    expect([size(16 * 1024), size(3 * 2 ** 20), size(12 * 2 ** 30)]).toEqual(['16.0 KiB', '3.0 MiB', '12.0 GiB']);
  });
});

describe('resolveBenchConfig', () => {
  it('layers defaults, the quick preset, environment and flags', () => {
    expect(resolveBenchConfig([], {})).toMatchObject({ duration: 5, reps: 3, warmup: 2, quick: false, concurrency: [1, 32], coldSizes: [1, 50, 200], pipelines: 1000 });
    expect(resolveBenchConfig(['--quick'], {})).toMatchObject({ duration: 1, reps: 1, quick: true, coldSizes: [1], pipelines: 100 });
    expect(resolveBenchConfig(['--quick', '--duration', '0.5'], { SLIPWAY_BENCH_REPS: '2' })).toMatchObject({ duration: 0.5, reps: 2 });
    expect(resolveBenchConfig(['--reps', '4'], { SLIPWAY_BENCH_REPS: '2' }).reps).toBe(4);
  });

  it('runs every suite by default, and the named ones in their fixed order', () => {
    expect(resolveBenchConfig([], {}).suites).toEqual(['overhead', 'batching', 'coldstart', 'density', 'python', 'logging', 'drift', 'async-runs', 'autoscale']);
    expect(resolveBenchConfig(['--suite', 'python,coldstart'], {}).suites).toEqual(['coldstart', 'python']);
    expect(resolveBenchConfig([], { SLIPWAY_BENCH_SUITE: 'density' }).suites).toEqual(['density']);
  });

  it('reports every bad value at once', () => {
    expect(() =>
      resolveBenchConfig(['--reps', '0', '--duration', 'x', '--models', 'nope', '--concurrency', '1,a', '--suite', 'speed', '--cold-sizes', '0'], {}),
    ).toThrow(/--duration \(x\)[^]*--reps \(0\)[^]*"speed" is not one of[^]*"nope" is not one of[^]*--concurrency \(1,a\)[^]*--cold-sizes \(0\)/);
  });
});
