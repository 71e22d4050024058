/**
 * Drift: what monitoring analysis costs, without a server — profiling a production window
 * of 1M rows × 20 features (14 numeric, 6 categorical) against a reference profile, and
 * the drift of every column from the sketches. The hot path is binning numeric values into
 * the reference's buckets; its target is ≥ 5M values/s on one core. `--quick` uses 100k rows.
 */
import { type ColumnSpec, createReferenceProfile, datasetDrift, mergeProfiles, profileWindow } from '@slipway/monitoring';
import type { ResolvedBenchConfig } from '../config.js';
import { progress } from '../compare.js';
import { type TargetCheck, formatTargets } from '../report.js';
import { type SuiteContext, type SuiteResult, heading } from './context.js';

/** Values binned per second on one core: the target for sketching. */
export const BINNING_TARGET = 5_000_000;
export const NUMERIC_FEATURES = 14;
export const CATEGORICAL_FEATURES = 6;
const CATEGORIES = ['a', 'b', 'c', 'd', 'e'];

export interface DriftBenchResult extends SuiteResult {
  rows: number;
  features: number;
  referenceRows: number;
  /** Seconds (median of the repetitions) for each step over the whole window. */
  seconds: { reference: number; numericSketch: number; categoricalSketch: number; drift: number; merge: number };
  /** Numeric values binned per second on one core. */
  numericValuesPerSecond: number;
  categoricalValuesPerSecond: number;
  /** Whole rows (all 20 features) profiled per second. */
  rowsPerSecond: number;
  driftedColumns: number;
}

/** Deterministic columns: normals (the second half shifted) and skewed categories. */
export function syntheticColumns(rows: number, seed: number, shift: number): Record<string, Float64Array | string[]> {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const columns: Record<string, Float64Array | string[]> = {};
  for (let f = 0; f < NUMERIC_FEATURES; f++) {
    const offset = f < NUMERIC_FEATURES / 2 ? shift : 0;
    columns[`num_${f}`] = Float64Array.from({ length: rows }, () => offset + Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next()));
  }
  for (let f = 0; f < CATEGORICAL_FEATURES; f++) columns[`cat_${f}`] = Array.from({ length: rows }, () => CATEGORIES[Math.min(4, Math.floor(next() * next() * 6))]!);
  return columns;
}

export const driftSpecs: ColumnSpec[] = [
  ...Array.from({ length: NUMERIC_FEATURES }, (_, f) => ({ name: `num_${f}`, type: 'numeric' as const })),
  ...Array.from({ length: CATEGORICAL_FEATURES }, (_, f) => ({ name: `cat_${f}`, type: 'categorical' as const })),
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed<T>(fn: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const value = fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e9];
}

export function runDriftBench({ rows, reps }: { rows: number; reps: number }): DriftBenchResult {
  const referenceRows = Math.min(100_000, rows);
  progress(`drift: generating ${rows} × ${driftSpecs.length} window and ${referenceRows}-row reference…`);
  const reference = syntheticColumns(referenceRows, 1, 0);
  const window = syntheticColumns(rows, 2, 0.3);
  const numeric = Object.fromEntries(Object.entries(window).filter(([k]) => k.startsWith('num_')));
  const categorical = Object.fromEntries(Object.entries(window).filter(([k]) => k.startsWith('cat_')));
  const times = { reference: [] as number[], numericSketch: [] as number[], categoricalSketch: [] as number[], drift: [] as number[], merge: [] as number[] };
  let driftedColumns = 0;
  // One extra, unmeasured round first: the JIT optimises the loops.
  for (let rep = -1; rep < reps; rep++) {
    const [profile, tRef] = timed(() => createReferenceProfile(driftSpecs, reference));
    const numericRef = { rows: profile.rows, columns: Object.fromEntries(Object.entries(profile.columns).filter(([k]) => k.startsWith('num_'))) };
    const categoricalRef = { rows: profile.rows, columns: Object.fromEntries(Object.entries(profile.columns).filter(([k]) => k.startsWith('cat_'))) };
    const [numericWindow, tNum] = timed(() => profileWindow(numericRef, numeric));
    const [categoricalWindow, tCat] = timed(() => profileWindow(categoricalRef, categorical));
    const current = { rows, columns: { ...numericWindow.columns, ...categoricalWindow.columns } };
    const [drift, tDrift] = timed(() => datasetDrift(profile, current));
    // A day of 5-minute windows merged into one: 288 merges.
    const [, tMerge] = timed(() => {
      let day = current;
      for (let i = 0; i < 287; i++) day = mergeProfiles(day, current);
      return day;
    });
    if (rep < 0) continue;
    driftedColumns = drift.driftedColumns;
    times.reference.push(tRef);
    times.numericSketch.push(tNum);
    times.categoricalSketch.push(tCat);
    times.drift.push(tDrift);
    times.merge.push(tMerge);
  }
  const seconds = { reference: median(times.reference), numericSketch: median(times.numericSketch), categoricalSketch: median(times.categoricalSketch), drift: median(times.drift), merge: median(times.merge) };
  const numericValuesPerSecond = (rows * NUMERIC_FEATURES) / seconds.numericSketch;
  const categoricalValuesPerSecond = (rows * CATEGORICAL_FEATURES) / seconds.categoricalSketch;
  const targets: TargetCheck[] = [
    { name: 'numeric binning, values/s on one core', goal: `≥ ${(BINNING_TARGET / 1e6).toFixed(0)}M`, measured: `${(numericValuesPerSecond / 1e6).toFixed(1)}M`, met: numericValuesPerSecond >= BINNING_TARGET },
  ];
  return {
    rows,
    features: driftSpecs.length,
    referenceRows,
    seconds,
    numericValuesPerSecond,
    categoricalValuesPerSecond,
    rowsPerSecond: rows / (seconds.numericSketch + seconds.categoricalSketch),
    driftedColumns,
    targets,
    problems: driftedColumns === NUMERIC_FEATURES / 2 ? [] : [`expected ${NUMERIC_FEATURES / 2} drifted columns (the shifted ones), found ${driftedColumns}`],
  };
}

export function runDrift({ config }: SuiteContext): Promise<DriftBenchResult> {
  return Promise.resolve(runDriftBench({ rows: config.quick ? 100_000 : 1_000_000, reps: config.reps }));
}

export function formatDrift(r: DriftBenchResult, config: ResolvedBenchConfig): string {
  const m = (x: number) => `${(x / 1e6).toFixed(2)}M`;
  const ms = (x: number) => `${(x * 1000).toFixed(1)} ms`;
  return [
    ...heading(
      `drift — profile a window of ${r.rows} rows × ${r.features} features (${NUMERIC_FEATURES} numeric, ${CATEGORICAL_FEATURES} categorical) against a ${r.referenceRows}-row reference, one thread`,
      `median of ${config.reps} repetition(s) after one unmeasured round`,
    ),
    `reference profile (${r.referenceRows} rows)   ${ms(r.seconds.reference)}`,
    `numeric sketching                    ${ms(r.seconds.numericSketch)}  (${m(r.numericValuesPerSecond)} values/s)`,
    `categorical sketching                ${ms(r.seconds.categoricalSketch)}  (${m(r.categoricalValuesPerSecond)} values/s)`,
    `whole rows profiled                  ${m(r.rowsPerSecond)} rows/s`,
    `drift of all columns (from sketches) ${ms(r.seconds.drift)}  (${r.driftedColumns} drifted)`,
    `roll-up of 288 windows into a day    ${ms(r.seconds.merge)}`,
    ...formatTargets(r.targets),
  ].join('\n');
}
