/**
 * The behaviour every `ProfilesStore` owes its callers (reference profiles and production
 * windows), run by sqlite.test.ts and postgres.test.ts against the same database each.
 */
import { randomBytes } from 'node:crypto';
import type { MetadataStore, ProfileWindowRecord, ReferenceProfileRecord } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fresh = () => `profiled-${randomBytes(4).toString('hex')}`;

/** Epoch ms past 2³¹ so a 32-bit column would overflow. */
const T0 = Date.UTC(2026, 10, 22, 8, 0, 0);

function reference(pipeline: string, version: number): ReferenceProfileRecord {
  return {
    pipeline,
    version,
    source: 'data/holdout.csv',
    rows: 1000,
    createdAt: new Date(T0).toISOString(),
    features: { rows: 1000, columns: { income: { kind: 'numeric', edges: [1, 2.5, 1e9] } } },
    prediction: { rows: 1000, columns: { score: { kind: 'numeric', edges: [0, 1] } } },
    cbpe: { threshold: 0.5, calibrator: { x: [0, 1], y: [0, 1] } },
    positiveClass: 'default',
    evaluation: {
      labelled: 1000,
      metrics: { accuracy: 0.876, rocAuc: null },
      fairness: {
        sex: {
          attribute: 'sex',
          privileged: ['male'],
          disparateImpact: 0.7,
          demographicParityDifference: 0.05,
          equalOpportunityDifference: null,
          equalizedOddsDifference: null,
          groups: [{ group: 'female', privileged: false, count: 480, selectionRate: 0.1, truePositiveRate: null, falsePositiveRate: null, small: false }],
        },
      },
    },
  };
}

function window(pipeline: string, version: number, windowMs: number, start: number, rows = 10): ProfileWindowRecord {
  return { pipeline, version, windowMs, start, rows, state: { rows, columns: { income: { counts: [rows] } } }, drift: { share: 0.5, columns: [] }, updatedAt: new Date(start).toISOString() };
}

export function describeProfilesStoreContract(name: string, open: () => MetadataStore): void {
  describe(`ProfilesStore contract (${name})`, () => {
    let store: MetadataStore;
    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    it('stores a reference profile per version and replaces it on recompute', async () => {
      const p = fresh();
      expect(await store.getReferenceProfile(p, 1)).toBeUndefined();
      await store.putReferenceProfile(reference(p, 1));
      expect(await store.getReferenceProfile(p, 1)).toStrictEqual(reference(p, 1));
      expect(await store.getReferenceProfile(p, 2)).toBeUndefined();
      const replaced = { ...reference(p, 1), source: 'upload.csv', rows: 7, evaluation: null };
      await store.putReferenceProfile(replaced);
      expect(await store.getReferenceProfile(p, 1)).toStrictEqual(replaced);
    });

    it('upserts windows and lists a range oldest first, by version', async () => {
      const p = fresh();
      const five = 300_000;
      await store.putProfileWindow(window(p, 2, five, T0 + five));
      await store.putProfileWindow(window(p, 1, five, T0 + five));
      await store.putProfileWindow(window(p, 1, five, T0));
      await store.putProfileWindow(window(p, 1, 3_600_000, T0));
      await store.putProfileWindow({ ...window(p, 1, five, T0, 25), drift: null });
      expect(await store.getProfileWindow({ pipeline: p, version: 1, windowMs: five, start: T0 })).toStrictEqual({ ...window(p, 1, five, T0, 25), drift: null });
      expect(await store.getProfileWindow({ pipeline: p, version: 3, windowMs: five, start: T0 })).toBeUndefined();
      const all = await store.listProfileWindows({ pipeline: p, windowMs: five, from: T0, to: T0 + 2 * five });
      expect(all.map((w) => [w.start - T0, w.version, w.rows])).toStrictEqual([
        [0, 1, 25],
        [five, 1, 10],
        [five, 2, 10],
      ]);
      const v2 = await store.listProfileWindows({ pipeline: p, version: 2, windowMs: five, from: T0, to: T0 + 2 * five });
      expect(v2.map((w) => w.version)).toStrictEqual([2]);
      expect(await store.listProfileWindows({ pipeline: p, windowMs: five, from: T0 + 2 * five, to: T0 + 10 * five })).toStrictEqual([]);
      expect((await store.listProfileWindows({ pipeline: p, windowMs: 3_600_000, from: 0, to: T0 * 2 })).map((w) => w.start)).toStrictEqual([T0]);
    });
  });
}
