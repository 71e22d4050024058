/**
 * Column profiles as mergeable sketches. A reference profile is built once from the
 * reference rows and fixes each column's layout (numeric bin edges, category list); a
 * window profile counts production values into that same layout. Because every window
 * of one reference shares the layout, `mergeProfiles` is plain addition — associative
 * and commutative — so 5-minute windows roll up into hours and days without re-reading
 * rows. Binning a numeric column is the hot path: typed arrays, no per-value allocation.
 */
import { type FeatureType, type FieldIssue, InvalidInputError } from '@slipway/core';

/**
 * Numeric column sketch. Buckets: `counts[0]` holds values below `edges[0]` (the
 * reference minimum), `counts[i]` for 1 ≤ i < edges.length the bin
 * [edges[i-1], edges[i]) — the last one closed — and the final bucket values above
 * the reference maximum. The reference itself never fills the outer two.
 */
export interface NumericSketch {
  readonly kind: 'numeric';
  /** Ascending bin edges from the reference's quantiles; at least two (equal when the reference is constant). */
  readonly edges: readonly number[];
  /** Per-bucket counts, `edges.length + 1` of them (underflow, bins, overflow). */
  readonly counts: readonly number[];
  /** Per-bucket Σ x: with the counts, each bucket's mean, which places the tails for Wasserstein. */
  readonly bucketSums: readonly number[];
  /** Non-missing values counted. */
  readonly count: number;
  /** Missing values: null, undefined, NaN or ±Infinity. */
  readonly missing: number;
  /** The reference median; sums are taken around it so the variance keeps its digits. */
  readonly shift: number;
  /** Σ (x − shift). */
  readonly shiftedSum: number;
  /** Σ (x − shift)². */
  readonly shiftedSumOfSquares: number;
  /** Smallest and largest value; null while `count` is 0. */
  readonly min: number | null;
  readonly max: number | null;
  /**
   * `[value, count]` pairs, ascending, while the column has at most `DISTINCT_LIMIT`
   * distinct values, else null. Lets a low-cardinality numeric column (a flag, a rating)
   * be tested as categories, as Evidently does for ≤ 5 unique values.
   */
  readonly distinct: readonly (readonly [number, number])[] | null;
}

/** Categorical (and boolean) column sketch. */
export interface CategoricalSketch {
  readonly kind: 'categorical';
  /** The reference's categories, most frequent first, at most `maxCategories`. */
  readonly categories: readonly string[];
  /** Counts per category, then one last count for every other value ("other"). */
  readonly counts: readonly number[];
  readonly count: number;
  /** Missing values: null, undefined or NaN. */
  readonly missing: number;
}

export type ColumnSketch = NumericSketch | CategoricalSketch;

/** Per-column sketches of one set of rows (a reference or a window). */
export interface DatasetProfile {
  readonly rows: number;
  readonly columns: Readonly<Record<string, ColumnSketch>>;
}

export interface ColumnSpec {
  readonly name: string;
  /** `boolean` columns are profiled as categories "true" / "false". */
  readonly type: FeatureType;
}

/** Column values by name. A numeric column is fastest as a Float64Array (NaN = missing). */
export type ColumnData = Readonly<Record<string, Float64Array | readonly unknown[]>>;

export interface ProfileOptions {
  /** Quantile bins per numeric column (before deduplicating tied edges). Default 20. */
  bins?: number;
  /** Categories kept per categorical column; rarer ones count as "other". Default 50. */
  maxCategories?: number;
}

/** Distinct numeric values tracked before a column counts as continuous. */
export const DISTINCT_LIMIT = 6;

const DEFAULT_BINS = 20;
const DEFAULT_MAX_CATEGORIES = 50;

/** Copies values into a Float64Array; anything not a finite number becomes NaN (missing). */
export function toNumericColumn(values: readonly unknown[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' ? v : NaN;
  }
  return out;
}

/** Quantile at q of sorted values, linear interpolation (numpy's default method). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Reference bin edges: `bins + 1` quantiles, ties removed, never fewer than two. */
export function quantileEdges(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const edge = quantileSorted(sorted, i / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  if (edges.length === 1) edges.push(edges[0]!);
  return edges;
}

/**
 * Counts `values` into the buckets of `edges`. The one hot loop of the package: a
 * branch for each outer bucket, a binary search over the inner edges, scalar
 * accumulators, and a short linear scan for distinct values only until they pass the
 * limit.
 */
export function sketchNumeric(values: ArrayLike<number>, edges: readonly number[], shift: number): NumericSketch {
  const e = Float64Array.from(edges);
  const last = e.length - 1;
  const lo = e[0]!;
  const hi = e[last]!;
  const counts = new Float64Array(e.length + 1);
  const bucketSums = new Float64Array(e.length + 1);
  const distinctValues = new Float64Array(DISTINCT_LIMIT + 1);
  const distinctCounts = new Float64Array(DISTINCT_LIMIT + 1);
  let distinct = 0;
  let missing = 0;
  let count = 0;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    // NaN and ±Infinity are the only numbers for which x − x is not 0.
    if (x - x !== 0) {
      missing++;
      continue;
    }
    count++;
    const d = x - shift;
    sum += d;
    sumSq += d * d;
    if (x < min) min = x;
    if (x > max) max = x;
    let bucket: number;
    if (x < lo) bucket = 0;
    else if (x > hi) bucket = last + 1;
    else {
      // Largest inner edge index a ≤ last − 1 with e[a] ≤ x; the last bin is closed.
      let a = 0;
      let z = last - 1;
      while (a < z) {
        const mid = (a + z + 1) >>> 1;
        if (e[mid]! <= x) a = mid;
        else z = mid - 1;
      }
      bucket = a + 1;
    }
    counts[bucket]!++;
    bucketSums[bucket]! += x;
    if (distinct <= DISTINCT_LIMIT) {
      let k = 0;
      while (k < distinct && distinctValues[k] !== x) k++;
      if (k === distinct) {
        distinctValues[k] = x;
        distinct++;
      }
      distinctCounts[k]!++;
    }
  }
  return {
    kind: 'numeric',
    edges: Array.from(e),
    counts: Array.from(counts),
    bucketSums: Array.from(bucketSums),
    count,
    missing,
    shift,
    shiftedSum: sum,
    shiftedSumOfSquares: sumSq,
    min: count === 0 ? null : min,
    max: count === 0 ? null : max,
    distinct: distinct > DISTINCT_LIMIT ? null : sortedPairs(distinctValues.subarray(0, distinct), distinctCounts),
  };
}

function sortedPairs(values: Float64Array, counts: Float64Array): [number, number][] {
  return Array.from(values, (v, i): [number, number] => [v, counts[i]!]).sort((a, b) => a[0] - b[0]);
}

/** A reference numeric sketch: edges from the values' own quantiles, sums around their median. */
export function referenceNumericSketch(values: ArrayLike<number>, bins = DEFAULT_BINS): NumericSketch | null {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i]! - values[i]! === 0) finite.push(values[i]!);
  if (finite.length === 0) return null;
  const sorted = Float64Array.from(finite).sort();
  return sketchNumeric(values, quantileEdges(sorted, bins), quantileSorted(sorted, 0.5));
}

/** The category a value counts as: strings as they are, other scalars as text; null when missing. */
export function categoryLabel(value: unknown): string | null {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Counts values into a fixed category list; values outside it go to "other". */
export function sketchCategorical(values: ArrayLike<unknown>, categories: readonly string[]): CategoricalSketch {
  const index = new Map<string, number>(categories.map((c, i) => [c, i]));
  const counts = new Float64Array(categories.length + 1);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const c = categoryLabel(values[i]);
    if (c === null) missing++;
    else counts[index.get(c) ?? categories.length]!++;
  }
  return { kind: 'categorical', categories: [...categories], counts: Array.from(counts), count: values.length - missing, missing };
}

/** A reference categorical sketch: the `maxCategories` most frequent values (ties by name). */
export function referenceCategoricalSketch(values: ArrayLike<unknown>, maxCategories = DEFAULT_MAX_CATEGORIES): CategoricalSketch {
  const frequency = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const c = categoryLabel(values[i]);
    if (c !== null) frequency.set(c, (frequency.get(c) ?? 0) + 1);
  }
  const categories = [...frequency]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxCategories)
    .map(([c]) => c);
  return sketchCategorical(values, categories);
}

function numericValues(data: Float64Array | readonly unknown[]): Float64Array {
  return data instanceof Float64Array ? data : toNumericColumn(data);
}

function checkColumns(specs: readonly ColumnSpec[], columns: ColumnData): number {
  const issues: FieldIssue[] = [];
  const lengths = new Set<number>();
  for (const spec of specs) {
    const data = columns[spec.name];
    if (data === undefined) issues.push({ path: spec.name, message: 'is missing from the rows; every profiled column needs values (null where unknown)' });
    else lengths.add(data.length);
  }
  if (lengths.size > 1) issues.push({ path: '', message: `columns have different lengths (${[...lengths].join(', ')}); give one value per row in each` });
  if (issues.length > 0) throw new InvalidInputError(issues);
  return lengths.values().next().value ?? 0;
}

/** Profiles reference rows: fixes each column's layout for every later window. */
export function createReferenceProfile(specs: readonly ColumnSpec[], columns: ColumnData, options: ProfileOptions = {}): DatasetProfile {
  const rows = checkColumns(specs, columns);
  const issues: FieldIssue[] = [];
  const sketches: Record<string, ColumnSketch> = {};
  for (const spec of specs) {
    const data = columns[spec.name]!;
    if (spec.type === 'numeric') {
      const sketch = referenceNumericSketch(numericValues(data), options.bins);
      if (sketch === null) issues.push({ path: spec.name, message: 'has no finite values; a reference profile needs at least one to place its bins' });
      else sketches[spec.name] = sketch;
    } else {
      sketches[spec.name] = referenceCategoricalSketch(data, options.maxCategories);
    }
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { rows, columns: sketches };
}

/** Profiles one window of production rows in the reference's layout. */
export function profileWindow(reference: DatasetProfile, columns: ColumnData): DatasetProfile {
  const names = Object.keys(reference.columns);
  const rows = checkColumns(names.map((name) => ({ name, type: reference.columns[name]!.kind })), columns);
  const sketches: Record<string, ColumnSketch> = {};
  for (const name of names) {
    const ref = reference.columns[name]!;
    const data = columns[name]!;
    sketches[name] = ref.kind === 'numeric' ? sketchNumeric(numericValues(data), ref.edges, ref.shift) : sketchCategorical(data, ref.categories);
  }
  return { rows, columns: sketches };
}

/** A window with no rows in the reference's layout: the identity of `mergeProfiles`. */
export function emptyProfile(reference: DatasetProfile): DatasetProfile {
  return profileWindow(reference, Object.fromEntries(Object.keys(reference.columns).map((name) => [name, [] as unknown[]])));
}

function addCounts(a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, i) => v + b[i]!);
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function mergeDistinct(a: NumericSketch['distinct'], b: NumericSketch['distinct']): NumericSketch['distinct'] {
  if (a === null || b === null) return null;
  const counts = new Map<number, number>(a.map(([v, c]) => [v, c]));
  for (const [v, c] of b) counts.set(v, (counts.get(v) ?? 0) + c);
  if (counts.size > DISTINCT_LIMIT) return null;
  return [...counts].sort((x, y) => x[0] - y[0]);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** Merges two sketches of one column with the same layout (from the same reference). */
export function mergeSketches(column: string, a: ColumnSketch, b: ColumnSketch): ColumnSketch {
  if (a.kind === 'numeric' && b.kind === 'numeric' && sameList(a.edges, b.edges) && a.shift === b.shift) {
    return {
      kind: 'numeric',
      edges: a.edges,
      counts: addCounts(a.counts, b.counts),
      bucketSums: addCounts(a.bucketSums, b.bucketSums),
      count: a.count + b.count,
      missing: a.missing + b.missing,
      shift: a.shift,
      shiftedSum: a.shiftedSum + b.shiftedSum,
      shiftedSumOfSquares: a.shiftedSumOfSquares + b.shiftedSumOfSquares,
      min: minOf(a.min, b.min),
      max: maxOf(a.max, b.max),
      distinct: mergeDistinct(a.distinct, b.distinct),
    };
  }
  if (a.kind === 'categorical' && b.kind === 'categorical' && sameList(a.categories, b.categories)) {
    return { kind: 'categorical', categories: a.categories, counts: addCounts(a.counts, b.counts), count: a.count + b.count, missing: a.missing + b.missing };
  }
  throw new InvalidInputError([{ path: column, message: 'sketches have different layouts; only windows profiled against the same reference profile can be merged' }]);
}

/** Merges two profiles of the same reference layout: associative and commutative. */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
  const names = Object.keys(a.columns);
  if (!sameList(names.slice().sort(), Object.keys(b.columns).sort())) {
    throw new InvalidInputError([{ path: '', message: `profiles have different columns (${names.join(', ')} vs ${Object.keys(b.columns).join(', ')}); merge windows of one reference only` }]);
  }
  return { rows: a.rows + b.rows, columns: Object.fromEntries(names.map((n) => [n, mergeSketches(n, a.columns[n]!, b.columns[n]!)])) };
}

/** Mean and population variance/std of a numeric sketch (null when it holds no values). */
export function numericMoments(sketch: NumericSketch): { mean: number; variance: number; std: number } | null {
  if (sketch.count === 0) return null;
  const meanShift = sketch.shiftedSum / sketch.count;
  const variance = Math.max(0, sketch.shiftedSumOfSquares / sketch.count - meanShift * meanShift);
  return { mean: sketch.shift + meanShift, variance, std: Math.sqrt(variance) };
}
