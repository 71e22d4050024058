import { describe, expect, it } from 'vitest';
import { resolveBenchConfig } from './config.js';
import type { LoadResult } from './load.js';
import { type BenchReport, formatTable, summarizeCell } from './report.js';

const ok = (rps: number, p50: number): LoadResult => ({ rps, p50, p99: p50 * 3, requests: rps, errors: 0, timeouts: 0, non2xx: 0, statusCodes: { 200: rps } });

function report(cells: BenchReport['cells']): BenchReport {
  const config = resolveBenchConfig([], {});
  const machine = { cpus: 2, cpuModel: 'x', memoryGiB: 8, platform: 'linux', arch: 'x64', node: 'v20', onnxruntime: { bare: '1.30.0', slipway: '1.30.0' } };
  return { benchmark: 'serving', startedAt: '2025-01-01T00:00:00.000Z', config, machine, models: [], cells, ok: cells.every((c) => c.problems.length === 0) };
}

describe('summarizeCell', () => {
  it('takes medians per server and the Slipway/bare ratios', () => {
    const cell = summarizeCell('m', 1, ['slipway', 'bare', 'slipway'], {
      slipway: [ok(800, 0.3), ok(900, 0.2), ok(100, 0.9)],
      bare: [ok(1000, 0.1), ok(1000, 0.1), ok(1200, 0.15)],
    });
    expect(cell.median.slipway).toEqual({ rps: 800, p50: 0.3, p99: 0.3 * 3 });
    expect(cell.ratio.throughput).toBe(0.8);
    expect(cell.ratio.pairedThroughput).toEqual([0.8, 0.9, 100 / 1200]);
    expect(cell.ratio.p50DiffMs).toBeCloseTo(0.2);
    expect(cell.problems).toEqual([]);
  });

  it('reports every repetition that saw a non-2xx or an error, loudly in the table', () => {
    const failed: LoadResult = { ...ok(500, 0.1), non2xx: 40, statusCodes: { 200: 460, 400: 40 } };
    const cell = summarizeCell('m', 32, ['slipway'], { slipway: [failed], bare: [ok(1000, 0.1)] });
    expect(cell.problems).toEqual(['slipway rep 1: 40 non-2xx, 0 errors (0 timeouts); statuses 200×460, 400×40']);
    const table = formatTable(report([cell]));
    expect(table).toContain('!! FAILED REQUESTS');
    expect(table).toContain('!!   m c=32 slipway rep 1: 40 non-2xx');
  });
});

describe('resolveBenchConfig', () => {
  it('layers defaults, the quick preset, environment and flags', () => {
    expect(resolveBenchConfig([], {})).toMatchObject({ duration: 5, reps: 3, warmup: 2, quick: false, concurrency: [1, 32] });
    expect(resolveBenchConfig(['--quick'], {})).toMatchObject({ duration: 1, reps: 1, quick: true });
    expect(resolveBenchConfig(['--quick', '--duration', '0.5'], { SLIPWAY_BENCH_REPS: '2' })).toMatchObject({ duration: 0.5, reps: 2 });
    expect(resolveBenchConfig(['--reps', '4'], { SLIPWAY_BENCH_REPS: '2' }).reps).toBe(4);
  });

  it('reports every bad value at once', () => {
    expect(() => resolveBenchConfig(['--reps', '0', '--duration', 'x', '--models', 'nope', '--concurrency', '1,a'], {})).toThrow(
      /--duration \(x\)[^]*--reps \(0\)[^]*"nope" is not one of[^]*--concurrency \(1,a\)/,
    );
  });
});
