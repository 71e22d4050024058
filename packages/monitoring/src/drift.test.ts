import { describe, expect, it } from 'vitest';
import {
  chiSquareTest,
  columnDrift,
  datasetDrift,
  defaultDriftMethod,
  jensenShannonDistance,
  ksFromCounts,
  ksTwoSample,
  normedWasserstein,
  proportionsZTest,
  psi,
  wassersteinDistance,
  wassersteinFromBuckets,
} from './drift.js';
import { createReferenceProfile, profileWindow, referenceCategoricalSketch, referenceNumericSketch, sketchCategorical, sketchNumeric } from './profile.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('raw-sample statistics against scipy', () => {
  it.each(fixtures.raw)('KS and Wasserstein: $name', ({ reference, current, statistic, pValue, wasserstein, referenceStd }) => {
    const ks = ksTwoSample(reference, current);
    expectClose(ks.statistic, statistic, 1e-12);
    // scipy's exact method; both compute the same path probabilities, rounding differs.
    expectClose(ks.pValue, pValue, 1e-9);
    expectClose(wassersteinDistance(reference, current), wasserstein, 1e-12);
    expectClose(normedWasserstein(wassersteinDistance(reference, current), referenceStd), wasserstein / referenceStd, 1e-12);
  });
});

describe('histogram statistics against scipy / Evidently formulas', () => {
  it.each(fixtures.histograms)('$name', (h) => {
    expectClose(psi(h.reference, h.current), h.psi, 1e-12);
    expectClose(jensenShannonDistance(h.reference, h.current), h.jensenShannon, 1e-12);
    const chi = chiSquareTest(h.reference, h.current);
    expect(chi.df).toBe(h.chiSquare.df);
    if (h.chiSquare.statistic === 'Infinity') expect(chi.statistic).toBe(Infinity);
    else expectClose(chi.statistic, h.chiSquare.statistic, 1e-12);
    expectClose(chi.pValue, h.chiSquare.pValue, 1e-10);
    const ks = ksFromCounts(h.reference, h.current);
    expectClose(ks.statistic, h.ks.statistic, 1e-12);
    expectClose(ks.pValue, h.ks.pValue, 1e-9);
    // The bucket model is restated in Python and integrated by quad: 1e-9 is quad's accuracy.
    const w = wassersteinFromBuckets(h.boundaries, { counts: h.reference, sums: h.referenceSums }, { counts: h.current, sums: h.currentSums });
    expectClose(w, h.wasserstein, 1e-9);
  });

  it.each(fixtures.zTests)('Z-test for proportions $args', ({ args, statistic, pValue }) => {
    const z = proportionsZTest(...args);
    expectClose(z.statistic, statistic, 1e-12);
    expectClose(z.pValue, pValue, 1e-12);
  });

  it('Z-test of two identical constant samples is p = 1', () => {
    expect(proportionsZTest(10, 10, 20, 20)).toEqual({ statistic: 0, pValue: 1 });
  });
});

const normal = (n: number, mean: number, sd: number, seed: number) => {
  // Deterministic Box–Muller over a small LCG: tests stay reproducible without a dependency.
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Float64Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next()));
};

describe('default method (Evidently)', () => {
  const num = (n: number) => referenceNumericSketch(normal(n, 0, 1, 7))!;
  const flag = (n: number) => referenceNumericSketch(Float64Array.from({ length: n }, (_, i) => i % 2))!;
  const rating = (n: number) => referenceNumericSketch(Float64Array.from({ length: n }, (_, i) => i % 4))!;
  const cat = (n: number, k: number) => referenceCategoricalSketch(Array.from({ length: n }, (_, i) => `c${i % k}`));
  it.each([
    ['numeric, small reference', 'ks', num(1000)],
    ['numeric, large reference', 'wasserstein', num(1001)],
    ['binary numeric, small', 'z_test', flag(500)],
    ['4-valued numeric, small', 'chi_square', rating(500)],
    ['4-valued numeric, large', 'jensen_shannon', rating(5000)],
    ['3 categories, small', 'chi_square', cat(300, 3)],
    ['2 categories, small', 'z_test', cat(300, 2)],
    ['categories, large', 'jensen_shannon', cat(3000, 3)],
  ] as const)('%s → %s', (_, method, sketch) => {
    expect(defaultDriftMethod(sketch, sketch)).toBe(method);
  });
});

describe('column drift on profiles', () => {
  const reference = normal(800, 10, 2, 1);
  const ref = referenceNumericSketch(reference)!;
  const window = (mean: number, seed: number) => sketchNumeric(normal(600, mean, 2, seed), ref.edges, ref.shift);

  it.each([
    ['no shift', 10, false],
    ['shift of one sd', 12, true],
  ] as const)('KS (small reference): %s', (_, mean, drifted) => {
    const result = columnDrift('income', ref, window(mean, 3));
    expect(result.method).toBe('ks');
    expect(result.drifted).toBe(drifted);
    expect(result.histogram.kind).toBe('numeric');
    expect(result.histogram.reference.length).toBe(ref.counts.length);
  });

  it('binned KS is a lower bound of the raw-sample D and close to it', () => {
    const current = normal(600, 10.5, 2, 5);
    const binned = columnDrift('x', ref, sketchNumeric(current, ref.edges, ref.shift), { methods: { x: 'ks' } }).statistic!;
    const exact = ksTwoSample(reference, current).statistic;
    expect(binned).toBeLessThanOrEqual(exact + 1e-12);
    expect(exact - binned).toBeLessThan(0.05);
  });

  it('binned normed Wasserstein tracks the raw-sample value', () => {
    const big = normal(5000, 10, 2, 11);
    const bigRef = referenceNumericSketch(big)!;
    const current = normal(3000, 11, 2, 13);
    const result = columnDrift('x', bigRef, sketchNumeric(current, bigRef.edges, bigRef.shift));
    expect(result.method).toBe('wasserstein');
    expect(result.drifted).toBe(true);
    const exact = normedWasserstein(wassersteinDistance(big, current), 2);
    expect(Math.abs(result.statistic! - exact) / exact).toBeLessThan(0.02);
  });

  it('chi-square on categories; a category unseen in the reference is drift', () => {
    const refCat = referenceCategoricalSketch(Array.from({ length: 300 }, (_, i) => ['a', 'b', 'c'][i % 3]));
    const same = columnDrift('c', refCat, sketchCategorical(Array.from({ length: 90 }, (_, i) => ['a', 'b', 'c'][i % 3]), refCat.categories));
    expect(same).toMatchObject({ method: 'chi_square', statistic: 0, pValue: 1, drifted: false });
    const novel = columnDrift('c', refCat, sketchCategorical(['a', 'b', 'c', 'z'], refCat.categories));
    expect(novel).toMatchObject({ drifted: true, statistic: Infinity, pValue: 0 });
    expect(novel.histogram).toEqual({ kind: 'categorical', categories: ['a', 'b', 'c', '(other)'], reference: [100, 100, 100, 0], current: [1, 1, 1, 1] });
  });

  it('thresholds and methods are configurable', () => {
    const result = columnDrift('x', ref, window(10.3, 9), { methods: { x: 'psi' }, thresholds: { psi: 0.01 } });
    expect(result).toMatchObject({ method: 'psi', threshold: 0.01, pValue: null });
    expect(result.drifted).toBe(result.statistic! >= 0.01);
  });

  it('a window without values is not evaluated', () => {
    expect(columnDrift('x', ref, sketchNumeric([NaN], ref.edges, ref.shift))).toMatchObject({ statistic: null, drifted: false, currentCount: 0 });
  });

  it('rejects Z-test on a column with more than two values', () => {
    const refCat = referenceCategoricalSketch(['a', 'b', 'c']);
    expect(() => columnDrift('c', refCat, refCat, { methods: { c: 'z_test' } })).toThrow(/c: has 3 values/);
  });
});

describe('dataset drift', () => {
  const specs = [
    { name: 'age', type: 'numeric' },
    { name: 'income', type: 'numeric' },
    { name: 'region', type: 'categorical' },
    { name: 'owner', type: 'boolean' },
  ] as const;
  const rows = (n: number, ageMean: number, incomeMean: number, seed: number) => ({
    age: normal(n, ageMean, 10, seed),
    income: normal(n, incomeMean, 8000, seed + 1),
    region: Array.from({ length: n }, (_, i) => ['north', 'south', 'east'][i % 3]),
    owner: Array.from({ length: n }, (_, i) => i % 3 === 0),
  });
  const reference = createReferenceProfile(specs, rows(900, 40, 50_000, 21));

  it.each([
    ['nothing shifted', 40, 50_000, [], false],
    ['age shifted', 52, 50_000, ['age'], false],
    ['age and income shifted', 52, 62_000, ['age', 'income'], true],
  ] as const)('%s', (_, age, income, driftedColumns, drifted) => {
    const result = datasetDrift(reference, profileWindow(reference, rows(500, age, income, 31)));
    expect(result.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(driftedColumns);
    expect(result.evaluatedColumns).toBe(4);
    expect(result.drifted).toBe(drifted);
  });

  it('driftShare is configurable', () => {
    const window = profileWindow(reference, rows(500, 52, 50_000, 31));
    expect(datasetDrift(reference, window, { driftShare: 0.25 }).drifted).toBe(true);
  });
});
