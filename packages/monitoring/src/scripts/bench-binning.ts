/**
 * Micro-benchmark of the hot path: binning numeric columns into a reference's buckets.
 * Run from the repository root: `npx tsx packages/monitoring/src/scripts/bench-binning.ts`.
 * Prints values/s per core (one thread) for a few column shapes; the target is ≥ 5M/s.
 */
import { referenceNumericSketch, sketchNumeric } from '../profile.js';

const ROWS = 1_000_000;
const ROUNDS = 10;

function column(kind: 'normal' | 'with-missing' | 'few-values', seed: number): Float64Array {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Float64Array.from({ length: ROWS }, () => {
    const u = next();
    if (kind === 'few-values') return Math.floor(u * 4);
    if (kind === 'with-missing' && u < 0.05) return NaN;
    return Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * u);
  });
}

const results: Record<string, string | number>[] = [];
for (const kind of ['normal', 'with-missing', 'few-values'] as const) {
  for (const bins of [10, 20, 100]) {
    const reference = referenceNumericSketch(column(kind, 1).subarray(0, 100_000), bins)!;
    const values = column(kind, 2);
    sketchNumeric(values, reference.edges, reference.shift); // warm-up: let the JIT optimise the loop
    const start = process.hrtime.bigint();
    for (let r = 0; r < ROUNDS; r++) sketchNumeric(values, reference.edges, reference.shift);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    results.push({ column: kind, bins, buckets: reference.counts.length, 'M values/s': Number(((ROWS * ROUNDS) / seconds / 1e6).toFixed(1)) });
  }
}
console.table(results);
