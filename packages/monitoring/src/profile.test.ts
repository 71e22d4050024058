import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DatasetProfile,
  createReferenceProfile,
  emptyProfile,
  mergeProfiles,
  numericMoments,
  profileWindow,
  referenceCategoricalSketch,
  referenceNumericSketch,
  sketchNumeric,
} from './profile.js';
import { expectClose, fixtures } from './testing/fixtures.js';

describe('numeric sketch against numpy', () => {
  const f = fixtures.profile;
  const ref = referenceNumericSketch(f.reference, f.bins)!;

  it('edges are the reference quantiles (numpy linear interpolation)', () => {
    expect(ref.edges.length).toBe(f.edges.length);
    ref.edges.forEach((e, i) => expectClose(e, f.edges[i]!, 1e-12));
  });

  it('bucket counts of the reference and of a window with out-of-range values', () => {
    expect(ref.counts).toEqual(f.referenceCounts);
    expect(sketchNumeric(f.current, ref.edges, ref.shift).counts).toEqual(f.currentCounts);
  });

  it('mean and population std', () => {
    expectClose(numericMoments(ref)!.mean, f.referenceMean, 1e-12);
    expectClose(numericMoments(ref)!.std, f.referenceStd, 1e-12);
    const window = numericMoments(sketchNumeric(f.current, ref.edges, ref.shift))!;
    expectClose(window.mean, f.currentMean, 1e-12);
    expectClose(window.std, f.currentStd, 1e-12);
  });
});

describe('sketch edge cases', () => {
  it.each([
    ['missing and non-finite values', [1, NaN, Infinity, 2, -Infinity, 3], { count: 3, missing: 3, min: 1, max: 3 }],
    ['a constant reference has one closed bin', [5, 5, 5], { edges: [5, 5], counts: [0, 3, 0], distinct: [[5, 3]] }],
    ['distinct values stop being tracked past six', [1, 2, 3, 4, 5, 6, 7], { distinct: null }],
  ] as const)('%s', (_, values, expected) => {
    expect(referenceNumericSketch(values)).toMatchObject(expected);
  });

  it('a reference column with no finite value is refused, naming it', () => {
    expect(() => createReferenceProfile([{ name: 'age', type: 'numeric' }], { age: [null, null] })).toThrow(/age: has no finite values/);
  });

  it('categories beyond the cap, and values unseen in the reference, count as other', () => {
    const sketch = referenceCategoricalSketch(['a', 'a', 'a', 'b', 'b', 'c', null, true], 2);
    expect(sketch).toMatchObject({ categories: ['a', 'b'], counts: [3, 2, 2], count: 7, missing: 1 });
  });

  it('booleans are categories "true" / "false"', () => {
    const profile = createReferenceProfile([{ name: 'owner', type: 'boolean' }], { owner: [true, false, true] });
    expect(profile.columns.owner).toMatchObject({ kind: 'categorical', categories: ['true', 'false'], counts: [2, 1, 0] });
  });

  it('every problem with the rows is reported at once', () => {
    const specs = [
      { name: 'a', type: 'numeric' },
      { name: 'b', type: 'numeric' },
    ] as const;
    expect(() => createReferenceProfile(specs, { a: [1, 2] })).toThrow(/b: is missing from the rows/);
    const reference = createReferenceProfile(specs, { a: [1, 2], b: [3, 4] });
    expect(() => profileWindow(reference, { a: [1], b: [1, 2] })).toThrow(/different lengths/);
  });
});

describe('merge', () => {
  const reference = createReferenceProfile(
    [
      { name: 'x', type: 'numeric' },
      { name: 'c', type: 'categorical' },
    ],
    { x: Array.from({ length: 200 }, (_, i) => (i * 37) % 101), c: Array.from({ length: 200 }, (_, i) => ['p', 'q', 'r'][i % 3]) },
  );
  // Integer values keep every sum exact, so associativity can be checked with toEqual.
  const rows = fc.array(fc.record({ x: fc.oneof(fc.integer({ min: -50, max: 150 }), fc.constant(null)), c: fc.constantFrom('p', 'q', 'r', 's', null) }), { maxLength: 40 });
  const window = (r: { x: number | null; c: string | null }[]): DatasetProfile =>
    profileWindow(reference, { x: r.map((v) => v.x), c: r.map((v) => v.c) });

  it('is associative and commutative, with the empty window as identity', () => {
    fc.assert(
      fc.property(rows, rows, rows, (ra, rb, rc) => {
        const [a, b, c] = [window(ra), window(rb), window(rc)];
        expect(mergeProfiles(mergeProfiles(a, b), c)).toEqual(mergeProfiles(a, mergeProfiles(b, c)));
        expect(mergeProfiles(a, b)).toEqual(mergeProfiles(b, a));
        expect(mergeProfiles(a, emptyProfile(reference))).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('merging windows equals profiling their rows together', () => {
    fc.assert(
      fc.property(rows, rows, (ra, rb) => {
        expect(mergeProfiles(window(ra), window(rb))).toEqual(window([...ra, ...rb]));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses sketches of different references', () => {
    const other = createReferenceProfile([{ name: 'x', type: 'numeric' }, { name: 'c', type: 'categorical' }], { x: [1, 2, 3], c: ['p', 'q', 'r'] });
    expect(() => mergeProfiles(emptyProfile(reference), emptyProfile(other))).toThrow(/x: sketches have different layouts/);
  });
});
