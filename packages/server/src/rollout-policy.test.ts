import { type ModelSignature, type RolloutState, rollbackPolicySchema } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { type WindowStats, chooseArm, nextRolloutAction, rollbackVerdict, signatureDifferences, stickyPoint, trafficArms, windowStats } from './rollout-policy.js';

const policy = rollbackPolicySchema.parse({ windowSeconds: 60, minRequests: 20, maxErrorRateIncrease: 0.05, maxP99Ratio: 1.5, p99MarginMs: 5 });
const stats = (requests: number, errors: number, p99Ms: number): WindowStats => ({ requests, errors, errorRate: requests === 0 ? 0 : errors / requests, p99Ms });

describe('windowStats', () => {
  it('counts only runs inside the window, with a nearest-rank p99', () => {
    const now = 100_000;
    const samples = [
      { at: now - 70_000, latencyMs: 999, error: true }, // outside
      ...Array.from({ length: 100 }, (_, i) => ({ at: now - 1000, latencyMs: i + 1, error: i < 10 })),
    ];
    expect(windowStats(samples, now, 60_000)).toStrictEqual({ requests: 100, errors: 10, errorRate: 0.1, p99Ms: 99 });
    expect(windowStats([], now, 60_000)).toStrictEqual({ requests: 0, errors: 0, errorRate: 0, p99Ms: 0 });
  });
});

describe('rollbackVerdict', () => {
  it.each<[string, WindowStats, WindowStats, boolean, RegExp]>([
    ['too few candidate runs: no verdict', stats(100, 0, 10), stats(19, 19, 10), false, /minRequests: 19 of 20/],
    ['equal: keep going', stats(100, 1, 10), stats(40, 0, 10), false, /within margins/],
    ['error rate up by more than the margin', stats(100, 1, 10), stats(40, 4, 10), true, /error rate 10\.0% .* stable's 1\.0% .* 5\.0%/],
    ['error rate up by exactly the margin: keep going', stats(100, 0, 10), stats(40, 2, 10), false, /within margins/],
    ['p99 above ratio × stable + margin', stats(100, 0, 10), stats(40, 0, 20.5), true, /p99 latency 20\.5 ms exceeds stable's 10\.0 ms/],
    ['p99 within ratio × stable + margin', stats(100, 0, 10), stats(40, 0, 20), false, /within margins/],
    ['stable without runs: only error rate counts', stats(0, 0, 0), stats(40, 0, 500), false, /within margins/],
    ['stable without runs and a failing candidate', stats(0, 0, 0), stats(40, 40, 1), true, /error rate 100\.0%/],
  ])('%s', (_, stable, candidate, rollback, reason) => {
    const verdict = rollbackVerdict(stable, candidate, policy);
    expect(verdict.rollback).toBe(rollback);
    expect(verdict.reason).toMatch(reason);
  });
});

describe('nextRolloutAction', () => {
  const now = Date.parse('2026-01-01T00:10:00.000Z');
  const state = (overrides: Partial<RolloutState> = {}): RolloutState => ({
    strategy: 'canary',
    stable: 1,
    candidate: 2,
    percent: 5,
    steps: [5, 25, 100],
    step: 0,
    intervalSeconds: 600,
    nextStepAt: '2026-01-01T00:10:00.000Z',
    rollback: policy,
    status: 'running',
    reason: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    ...overrides,
  });
  const ok = { rollback: false as const, reason: 'fine' };
  it.each<[string, RolloutState, boolean, ReturnType<typeof nextRolloutAction>]>([
    ['a bad verdict rolls back', state(), true, { action: 'rollback', reason: 'bad' }],
    ['due: next step', state(), false, { action: 'step', step: 1, percent: 25 }],
    ['not due: hold', state({ nextStepAt: '2026-01-01T00:10:00.001Z' }), false, { action: 'hold' }],
    ['last step held an interval: promote', state({ step: 2, percent: 100 }), false, { action: 'promote' }],
    ['shadow waits for a person', state({ strategy: 'shadow', percent: 0, nextStepAt: null }), false, { action: 'hold' }],
    ['shadow rolls back by itself', state({ strategy: 'shadow', percent: 0, nextStepAt: null }), true, { action: 'rollback', reason: 'bad' }],
    ['an ended rollout does nothing', state({ status: 'rolled_back' }), true, { action: 'hold' }],
  ])('%s', (_, s, bad, expected) => {
    expect(nextRolloutAction(s, bad ? { rollback: true, reason: 'bad' } : ok, now)).toStrictEqual(expected);
  });
});

describe('traffic', () => {
  const canary = { strategy: 'canary', stable: 1, candidate: 2, percent: 25, status: 'running' } as RolloutState;
  it.each<[string, ReturnType<typeof trafficArms>]>([
    ['canary: candidate first', trafficArms(1, null, canary)],
    ['shadow: all on stable', trafficArms(1, null, { ...canary, strategy: 'shadow' })],
    ['ended rollout: the target', trafficArms(3, null, { ...canary, status: 'aborted' })],
    ['fixed split', trafficArms(1, [{ version: 1, weight: 70 }, { version: 2, weight: 30 }], null)],
  ])('%s', (_, arms) => {
    expect(arms.reduce((s, a) => s + a.weight, 0)).toBe(100);
  });

  it('chooses by cumulative weight, skipping zero weights', () => {
    const arms = [{ version: 2, weight: 25 }, { version: 1, weight: 75 }];
    expect(chooseArm(arms, 0)).toBe(2);
    expect(chooseArm(arms, 24.99)).toBe(2);
    expect(chooseArm(arms, 25)).toBe(1);
    expect(chooseArm(arms, 99.99)).toBe(1);
    expect(chooseArm([{ version: 2, weight: 0 }, { version: 1, weight: 100 }], 0)).toBe(1);
    expect(chooseArm([{ version: 2, weight: 50 }, { version: 1, weight: 49.999 }], 99.9995)).toBe(1);
  });

  it('gives a caller key one point, and spreads keys evenly', () => {
    expect(stickyPoint('customer-42')).toBe(stickyPoint('customer-42'));
    const points = Array.from({ length: 4000 }, (_, i) => stickyPoint(`customer-${i}`));
    expect(points.every((p) => p >= 0 && p < 100)).toBe(true);
    const underTen = points.filter((p) => p < 10).length / points.length;
    expect(underTen).toBeGreaterThan(0.08);
    expect(underTen).toBeLessThan(0.12);
  });
});

describe('signatureDifferences', () => {
  const sig = (features: number, dtype: 'FP32' | 'FP64' = 'FP32', output = 'probabilities'): ModelSignature => ({
    inputs: [{ name: 'features', datatype: dtype, shape: [-1, features] }],
    outputs: [{ name: output, datatype: 'FP32', shape: [-1, 2] }],
  });
  it.each<[string, ModelSignature, string[]]>([
    ['identical: compatible', sig(3), []],
    ['a different input shape', sig(4), ['inputs.features.shape: v1 has [-1, 3], v2 has [-1, 4]']],
    ['a different input datatype', sig(3, 'FP64'), ['inputs.features.datatype: v1 has FP32, v2 has FP64']],
    ['a missing output', sig(3, 'FP32', 'scores'), ['outputs.probabilities: v1 has it, v2 does not']],
    [
      'an extra required input',
      { ...sig(3), inputs: [...sig(3).inputs, { name: 'extra', datatype: 'FP32', shape: [-1] }] },
      ['inputs.extra: v2 requires it, v1 does not'],
    ],
  ])('%s', (_, candidate, expected) => {
    expect(signatureDifferences(sig(3), candidate, { stable: 'v1', candidate: 'v2' }).map((i) => `${i.path}: ${i.message}`)).toStrictEqual(expected);
  });
});
