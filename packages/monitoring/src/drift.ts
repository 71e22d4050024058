/**
 * Drift between a reference profile and a window profile, per column and for the
 * dataset, with Evidently's defaults: for a small reference (≤ 1000 rows) statistical
 * tests — Kolmogorov–Smirnov for numeric columns with more than 5 distinct values,
 * chi-square for more than 2 categories, else a Z-test for proportions, drift when
 * p < 0.05; for a larger reference distances — normed Wasserstein ≥ 0.1 for numeric,
 * Jensen–Shannon ≥ 0.1 otherwise. PSI is available on request (≥ 0.1, ≥ 0.25 major).
 *
 * The raw-sample functions (`ksTwoSample`, `wassersteinDistance`) match scipy exactly.
 * The profile path works from the sketches' buckets only, so it never needs raw rows:
 * KS compares the two CDFs at the bucket edges (a lower bound on the raw-sample D, equal
 * when values sit on edges), and Wasserstein integrates |F − G| with each bucket's mass
 * spread uniformly around its mean (see `wassersteinFromBuckets`). Every result carries the pair of histograms it used.
 */
import { type ColumnDriftView, type DriftHistogramView, InvalidInputError } from '@slipway/core';
import { type CategoricalSketch, type ColumnSketch, type DatasetProfile, type NumericSketch, numericMoments } from './profile.js';
import { chiSquareSf, kolmogorovSf, normalSf, smirnovExactSf } from './special.js';

export const DriftMethod = {
  ks: 'ks',
  chiSquare: 'chi_square',
  zTest: 'z_test',
  wasserstein: 'wasserstein',
  jensenShannon: 'jensen_shannon',
  psi: 'psi',
} as const;
export type DriftMethod = (typeof DriftMethod)[keyof typeof DriftMethod];

/** Methods whose result is a p-value (drift when p < threshold); the rest are distances (drift when ≥ threshold). */
const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set<DriftMethod>(['ks', 'chi_square', 'z_test']);

export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = Object.freeze({
  ks: 0.05,
  chi_square: 0.05,
  z_test: 0.05,
  wasserstein: 0.1,
  jensen_shannon: 0.1,
  psi: 0.1,
});

export interface DriftOptions {
  /** Thresholds per method; defaults `DEFAULT_DRIFT_THRESHOLDS` (p < 0.05 for tests, ≥ 0.1 for distances). */
  thresholds?: Partial<Record<DriftMethod, number>>;
  /** A method per column name, overriding the default choice. */
  methods?: Readonly<Record<string, DriftMethod>>;
  /** A threshold per column name, overriding the method's threshold. */
  columnThresholds?: Readonly<Record<string, number>>;
  /** Reference rows up to which tests are chosen over distances. Default 1000. */
  smallReferenceRows?: number;
  /** Share of evaluated columns that must drift for dataset drift. Default 0.5. */
  driftShare?: number;
}

/** The histogram pair a chart draws: bucket boundaries (numeric) or labels (categorical). */
export type DriftHistogram = DriftHistogramView;

/**
 * One column's drift: the wire view with its method typed. `statistic` is KS D, χ², z,
 * normed Wasserstein, JS distance or PSI (null when either side has no values); `pValue`
 * is set for KS, chi-square and Z-test, null for distances.
 */
export interface ColumnDrift extends Omit<ColumnDriftView, 'method'> {
  method: DriftMethod;
}

export interface DatasetDrift {
  columns: ColumnDrift[];
  /** Columns with a statistic (both sides had values). */
  evaluatedColumns: number;
  driftedColumns: number;
  share: number;
  driftShare: number;
  drifted: boolean;
}

// ---- primitives on counts and samples -------------------------------------------

function total(counts: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i]!;
  return s;
}

/** Evidently replaces empty-bucket shares by this so PSI stays finite. */
const PSI_EMPTY_SHARE = 0.0001;

/** Population stability index Σ (r − c)·ln(r / c) over bucket shares. */
export function psi(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): number {
  const nr = total(referenceCounts);
  const nc = total(currentCounts);
  let value = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const r = referenceCounts[i]! / nr || PSI_EMPTY_SHARE;
    const c = currentCounts[i]! / nc || PSI_EMPTY_SHARE;
    value += (r - c) * Math.log(r / c);
  }
  return value;
}

/** Jensen–Shannon distance (natural log, the square root of the divergence), as scipy's `jensenshannon`. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const np = total(p);
  const nq = total(q);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / np;
    const b = q[i]! / nq;
    const m = (a + b) / 2;
    if (a > 0) divergence += a * Math.log(a / m);
    if (b > 0) divergence += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, divergence / 2));
}

/**
 * Pearson's χ² of the current counts against the reference shares scaled to the
 * current total (Evidently's `chi_stat_test`, scipy `chisquare`); buckets empty on both
 * sides are left out. A bucket seen only in the current window makes χ² infinite (p 0).
 */
export function chiSquareTest(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): { statistic: number; pValue: number; df: number } {
  const scale = total(currentCounts) / total(referenceCounts);
  let statistic = 0;
  let buckets = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const expected = referenceCounts[i]! * scale;
    const observed = currentCounts[i]!;
    if (expected === 0 && observed === 0) continue;
    buckets++;
    statistic += expected === 0 ? Infinity : ((observed - expected) * (observed - expected)) / expected;
  }
  const df = Math.max(1, buckets - 1);
  return { statistic, pValue: chiSquareSf(statistic, df), df };
}

/** Two-proportion Z-test with pooled variance, two-sided (Evidently's `z_stat_test`). */
export function proportionsZTest(referenceSuccesses: number, referenceTotal: number, currentSuccesses: number, currentTotal: number): { statistic: number; pValue: number } {
  const p1 = referenceSuccesses / referenceTotal;
  const p2 = currentSuccesses / currentTotal;
  const pooled = (referenceSuccesses + currentSuccesses) / (referenceTotal + currentTotal);
  const variance = pooled * (1 - pooled) * (1 / referenceTotal + 1 / currentTotal);
  // Both samples constant and equal: nothing to test (Evidently returns p = 1).
  if (variance === 0) return { statistic: 0, pValue: p1 === p2 ? 1 : 0 };
  const statistic = (p1 - p2) / Math.sqrt(variance);
  return { statistic, pValue: 2 * normalSf(Math.abs(statistic)) };
}

/** Largest n·m for which the KS p-value is computed exactly (O(n·m)); beyond it, the Kolmogorov limit. */
export const KS_EXACT_MAX_PRODUCT = 10_000_000;

/**
 * Two-sided p-value of the two-sample KS statistic. Exact (no-ties Smirnov
 * distribution, as scipy's `method="exact"`) up to n·m = `KS_EXACT_MAX_PRODUCT`,
 * else the Kolmogorov limit at √(nm/(n+m))·D (scipy's `kstwobign`; scipy's own
 * `asymp` uses the finite-n `kstwo` distribution instead, which differs in the 3rd digit
 * at n ≈ 1000 and agrees as n grows).
 */
export function ksPValue(statistic: number, n: number, m: number): number {
  if (n * m <= KS_EXACT_MAX_PRODUCT) return smirnovExactSf(statistic, n, m);
  return kolmogorovSf(Math.sqrt((n * m) / (n + m)) * statistic);
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i]! - values[i]! === 0) out.push(values[i]!);
  return Float64Array.from(out).sort();
}

/** Two-sample KS on raw samples (non-finite values dropped): D = sup |F − G|, ties handled. */
export function ksTwoSample(reference: ArrayLike<number>, current: ArrayLike<number>): { statistic: number; pValue: number } {
  const a = finiteSorted(reference);
  const b = finiteSorted(current);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return { statistic: d, pValue: ksPValue(d, a.length, b.length) };
}

/** KS from two count vectors over the same ordered buckets: D at the bucket edges. */
export function ksFromCounts(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): { statistic: number; pValue: number } {
  const nr = total(referenceCounts);
  const nc = total(currentCounts);
  let fr = 0;
  let fc = 0;
  let d = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    fr += referenceCounts[i]!;
    fc += currentCounts[i]!;
    d = Math.max(d, Math.abs(fr / nr - fc / nc));
  }
  return { statistic: d, pValue: ksPValue(d, nr, nc) };
}

/** Wasserstein-1 distance between two raw samples, ∫|F − G| (scipy `wasserstein_distance`). */
export function wassersteinDistance(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const a = finiteSorted(reference);
  const b = finiteSorted(current);
  let i = 0;
  let j = 0;
  let distance = 0;
  let x = Math.min(a[0]!, b[0]!);
  while (i < a.length || j < b.length) {
    const next = Math.min(i < a.length ? a[i]! : Infinity, j < b.length ? b[j]! : Infinity);
    distance += Math.abs(i / a.length - j / b.length) * (next - x);
    while (i < a.length && a[i] === next) i++;
    while (j < b.length && b[j] === next) j++;
    x = next;
  }
  return distance;
}

/** Counts and Σ x per bucket of one side of a histogram. */
export interface BucketMasses {
  counts: ArrayLike<number>;
  sums: ArrayLike<number>;
}

/**
 * Where a bucket's mass is assumed to lie: uniformly on the widest sub-interval of
 * [a, b] whose midpoint is the bucket's mean. Keeping the mean exact matters most in
 * the outer buckets, where only one side has mass and ∫|F − G| there depends on the
 * mean alone; spreading over the whole bucket overstated a shifted tail by ~10 %.
 */
function support(a: number, b: number, count: number, sum: number): [number, number] {
  if (count === 0 || b <= a) return [a, b];
  const mean = Math.min(b, Math.max(a, sum / count));
  return mean >= (a + b) / 2 ? [2 * mean - b, b] : [a, 2 * mean - a];
}

/** CDF increment of one bucket at x: its mass times the covered share of its support. */
function massBelow(x: number, [lo, hi]: [number, number], mass: number): number {
  if (x >= hi) return mass;
  if (x <= lo) return 0;
  return (mass * (x - lo)) / (hi - lo);
}

/**
 * Wasserstein-1 between two bucketed distributions over the same `boundaries` (buckets + 1
 * of them), each bucket's mass uniform on its `support`. Both CDFs are then piecewise
 * linear, so ∫|F − G| is integrated exactly between consecutive breakpoints (split where
 * F − G crosses zero).
 */
export function wassersteinFromBuckets(boundaries: ArrayLike<number>, reference: BucketMasses, current: BucketMasses): number {
  const nr = total(reference.counts);
  const nc = total(current.counts);
  let below = 0; // F − G at the bucket's lower boundary
  let distance = 0;
  for (let i = 0; i < reference.counts.length; i++) {
    const a = boundaries[i]!;
    const b = boundaries[i + 1]!;
    const mr = reference.counts[i]! / nr;
    const mc = current.counts[i]! / nc;
    const sr = support(a, b, reference.counts[i]!, reference.sums[i]!);
    const sc = support(a, b, current.counts[i]!, current.sums[i]!);
    const points = [a, b, ...sr, ...sc].filter((x) => x >= a && x <= b).sort((x, y) => x - y);
    let x0 = a;
    let d0 = below;
    for (const x1 of points) {
      if (x1 <= x0) continue;
      const d1 = below + massBelow(x1, sr, mr) - massBelow(x1, sc, mc);
      const width = x1 - x0;
      distance += d0 * d1 >= 0 ? (width * (Math.abs(d0) + Math.abs(d1))) / 2 : (width * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
      x0 = x1;
      d0 = d1;
    }
    below += mr - mc;
  }
  return distance;
}

/** Evidently divides by max(reference std, 0.001) so a constant reference does not divide by zero. */
const MIN_NORM_STD = 0.001;

/** Wasserstein distance in units of the reference's (population) standard deviation. */
export function normedWasserstein(distance: number, referenceStd: number): number {
  return distance / Math.max(referenceStd, MIN_NORM_STD);
}

// ---- profile-level drift --------------------------------------------------------------

/** Distinct numeric values of both sides as categories, when together there are at most 5. */
function lowCardinality(reference: NumericSketch, current: NumericSketch): { categories: string[]; reference: number[]; current: number[] } | null {
  if (reference.distinct === null || current.distinct === null) return null;
  const values = [...new Set([...reference.distinct, ...current.distinct].map(([v]) => v))].sort((a, b) => a - b);
  if (values.length > 5) return null;
  const countOf = (pairs: readonly (readonly [number, number])[], v: number) => pairs.find(([x]) => x === v)?.[1] ?? 0;
  return {
    categories: values.map(String),
    reference: values.map((v) => countOf(reference.distinct!, v)),
    current: values.map((v) => countOf(current.distinct!, v)),
  };
}

function nonEmptyBuckets(reference: readonly number[], current: readonly number[]): number {
  return reference.filter((r, i) => r + current[i]! > 0).length;
}

/** Evidently's default method for a column, from its type, distinct values and the reference size. */
export function defaultDriftMethod(reference: ColumnSketch, current: ColumnSketch, smallReferenceRows = 1000): DriftMethod {
  const small = reference.count + reference.missing <= smallReferenceRows;
  let categories: number | null;
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    const low = lowCardinality(reference, current);
    categories = low === null ? null : low.categories.length;
  } else {
    categories = nonEmptyBuckets(reference.counts, current.counts);
  }
  if (categories === null) return small ? 'ks' : 'wasserstein';
  if (!small) return 'jensen_shannon';
  return categories > 2 ? 'chi_square' : 'z_test';
}

function numericHistogram(reference: NumericSketch, current: NumericSketch): DriftHistogram & { kind: 'numeric' } {
  const lo = Math.min(reference.edges[0]!, current.min ?? Infinity);
  const hi = Math.max(reference.edges[reference.edges.length - 1]!, current.max ?? -Infinity);
  return { kind: 'numeric', boundaries: [lo, ...reference.edges, hi], reference: [...reference.counts], current: [...current.counts] };
}

function categoricalHistogram(reference: CategoricalSketch, current: CategoricalSketch): DriftHistogram & { kind: 'categorical' } {
  return { kind: 'categorical', categories: [...reference.categories, '(other)'], reference: [...reference.counts], current: [...current.counts] };
}

function zTestOnCounts(column: string, reference: readonly number[], current: readonly number[]): { statistic: number; pValue: number } {
  const used = reference.map((r, i) => (r + current[i]! > 0 ? i : -1)).filter((i) => i >= 0);
  if (used.length > 2) throw new InvalidInputError([{ path: column, message: `has ${used.length} values; the Z-test is for binary columns — choose chi_square or jensen_shannon` }]);
  const k = used[0] ?? 0;
  return proportionsZTest(reference[k]!, total(reference), current[k]!, total(current));
}

/** Drift of one column between its reference sketch and a window sketch. */
export function columnDrift(column: string, reference: ColumnSketch, current: ColumnSketch, options: DriftOptions = {}): ColumnDrift {
  if (reference.kind !== current.kind) {
    throw new InvalidInputError([{ path: column, message: `is ${reference.kind} in the reference but ${current.kind} in the window; profile windows against the reference` }]);
  }
  const method = options.methods?.[column] ?? defaultDriftMethod(reference, current, options.smallReferenceRows);
  const threshold = options.columnThresholds?.[column] ?? options.thresholds?.[method] ?? DEFAULT_DRIFT_THRESHOLDS[method];
  const isTest = P_VALUE_METHODS.has(method);
  const low = reference.kind === 'numeric' && current.kind === 'numeric' ? lowCardinality(reference, current) : null;
  // Categorical tests on a low-cardinality numeric column count its distinct values, not its bins.
  const histogram: DriftHistogram =
    reference.kind === 'numeric' && current.kind === 'numeric'
      ? low !== null && (method === 'chi_square' || method === 'z_test' || method === 'jensen_shannon')
        ? { kind: 'categorical', ...low }
        : numericHistogram(reference, current)
      : categoricalHistogram(reference as CategoricalSketch, current as CategoricalSketch);
  const base = { column, method, threshold, referenceCount: reference.count, currentCount: current.count, histogram };
  if (reference.count === 0 || current.count === 0) return { ...base, statistic: null, pValue: null, drifted: false };

  let statistic: number;
  let pValue: number | null = null;
  switch (method) {
    case 'ks':
      ({ statistic, pValue } = ksFromCounts(histogram.reference, histogram.current));
      break;
    case 'chi_square':
      ({ statistic, pValue } = chiSquareTest(histogram.reference, histogram.current));
      break;
    case 'z_test':
      ({ statistic, pValue } = zTestOnCounts(column, histogram.reference, histogram.current));
      break;
    case 'jensen_shannon':
      statistic = jensenShannonDistance(histogram.reference, histogram.current);
      break;
    case 'psi':
      statistic = psi(histogram.reference, histogram.current);
      break;
    case 'wasserstein': {
      if (histogram.kind !== 'numeric' || reference.kind !== 'numeric') {
        throw new InvalidInputError([{ path: column, message: 'is categorical; Wasserstein needs a numeric column — choose jensen_shannon or chi_square' }]);
      }
      const masses = (sketch: NumericSketch): BucketMasses => ({ counts: sketch.counts, sums: sketch.bucketSums });
      statistic = normedWasserstein(wassersteinFromBuckets(histogram.boundaries, masses(reference), masses(current as NumericSketch)), numericMoments(reference)!.std);
      break;
    }
  }
  return { ...base, statistic, pValue, drifted: isTest ? pValue! < threshold : statistic >= threshold };
}

/** Drift of every reference column; the dataset drifts when at least `driftShare` of evaluated columns do. */
export function datasetDrift(reference: DatasetProfile, current: DatasetProfile, options: DriftOptions = {}): DatasetDrift {
  const missing = Object.keys(reference.columns).filter((name) => current.columns[name] === undefined);
  if (missing.length > 0) throw new InvalidInputError(missing.map((name) => ({ path: name, message: 'is in the reference profile but not in the window profile' })));
  const columns = Object.entries(reference.columns).map(([name, sketch]) => columnDrift(name, sketch, current.columns[name]!, options));
  const evaluated = columns.filter((c) => c.statistic !== null).length;
  const drifted = columns.filter((c) => c.drifted).length;
  const share = evaluated === 0 ? 0 : drifted / evaluated;
  const driftShare = options.driftShare ?? 0.5;
  return { columns, evaluatedColumns: evaluated, driftedColumns: drifted, share, driftShare, drifted: evaluated > 0 && share >= driftShare };
}
