/** The drift suite at a smoke size: it runs, finds exactly the shifted columns, and reports its figures. */
import { describe, expect, it } from 'vitest';
import { resolveBenchConfig } from '../config.js';
import { NUMERIC_FEATURES, formatDrift, runDriftBench } from './drift.js';

describe('drift suite (--quick smoke size)', () => {
  it('profiles a window, flags the shifted half of the numeric columns and reports throughput', { timeout: 30_000 }, () => {
    const result = runDriftBench({ rows: 20_000, reps: 1 });
    expect(result.problems).toEqual([]);
    expect(result.driftedColumns).toBe(NUMERIC_FEATURES / 2);
    expect(result.numericValuesPerSecond).toBeGreaterThan(0);
    expect(result.targets.map((t) => t.name)).toEqual(['numeric binning, values/s on one core']);
    const table = formatDrift(result, resolveBenchConfig(['--quick', '--suite', 'drift'], {}));
    expect(table).toMatch(/^== drift — profile a window of 20000 rows × 20 features/);
    expect(table).toMatch(/numeric sketching .* values\/s/);
  });
});
