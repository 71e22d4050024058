import { type ScalingPolicy, scalingSchema } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { type AutoscalerState, type ConcurrencySample, decideReplicas, initialAutoscalerState } from './autoscaling-policy.js';

const T = 1_000_000;
const policy = (overrides: Partial<ScalingPolicy> = {}): ScalingPolicy =>
  scalingSchema.parse({ min: 0, max: 10, targetConcurrency: 2, stableWindowSeconds: 60, panicWindowSeconds: 6, scaleDownDelaySeconds: 0, idleTimeoutSeconds: 30, ...overrides });

/** One sample per second for `seconds` before T, of `concurrency` (a function of seconds ago, or a number). */
function steady(seconds: number, concurrency: number | ((ago: number) => number), queueMs?: number): ConcurrencySample[] {
  return Array.from({ length: seconds }, (_, i) => {
    const ago = seconds - 1 - i;
    return { at: T - ago * 1000, concurrency: typeof concurrency === 'number' ? concurrency : concurrency(ago), ...(queueMs === undefined ? {} : { queueMs }) };
  });
}

const calm = (lastActiveAt = T): AutoscalerState => ({ ...initialAutoscalerState(lastActiveAt) });

describe('decideReplicas', () => {
  it.each<[string, { current: number; samples: ConcurrencySample[]; policy?: Partial<ScalingPolicy>; state?: AutoscalerState }, { desired: number; panic?: boolean }]>([
    ['steady load at target: unchanged', { current: 2, samples: steady(60, 4) }, { desired: 2 }],
    ['stable average asks for more', { current: 2, samples: steady(60, 8) }, { desired: 4 }],
    ['activation from zero: one replica at once', { current: 0, samples: [{ at: T, concurrency: 1 }] }, { desired: 1 }],
    ['activation from zero ignores the scale-up delay', { current: 0, samples: [{ at: T, concurrency: 1 }], policy: { scaleUpDelaySeconds: 30 } }, { desired: 1 }],
    ['a 10× step in the last seconds panics', { current: 1, samples: steady(60, (ago) => (ago < 6 ? 20 : 2)) }, { desired: 10, panic: true }],
    ['a rise below the panic threshold waits for the stable window', { current: 2, samples: steady(60, (ago) => (ago < 6 ? 5 : 4)) }, { desired: 3, panic: false }],
    ['panic never scales down', { current: 8, samples: steady(60, (ago) => (ago < 6 ? 6 : 0)), state: { ...calm(), panicUntil: T + 30_000 } }, { desired: 8, panic: true }],
    ['max caps', { current: 5, samples: steady(60, 100) }, { desired: 10 }],
    ['min holds', { current: 3, samples: steady(60, 0), policy: { min: 3 } }, { desired: 3 }],
    ['scale-up rate: at most 2× per step', { current: 2, samples: steady(60, 40), policy: { maxScaleUpRate: 2, max: 100 } }, { desired: 4 }],
    ['scale-down rate: at most ÷2 per step', { current: 8, samples: steady(60, 2) }, { desired: 4 }],
    ['scale-down delay holds the current count', { current: 4, samples: steady(60, 2), policy: { scaleDownDelaySeconds: 30 } }, { desired: 4 }],
    ['scale-down delay elapsed', { current: 4, samples: steady(60, 2), policy: { scaleDownDelaySeconds: 30 }, state: { ...calm(), lowerSince: T - 31_000 } }, { desired: 2 }],
    ['scale-up delay holds, then lets go', { current: 1, samples: steady(60, 4), policy: { scaleUpDelaySeconds: 10 } }, { desired: 1 }],
    ['scale-up delay elapsed', { current: 1, samples: steady(60, 4), policy: { scaleUpDelaySeconds: 10 }, state: { ...calm(), higherSince: T - 11_000 } }, { desired: 2 }],
    ['queue wait over maxQueueMs adds a replica', { current: 2, samples: steady(60, 4, 1500), policy: { maxQueueMs: 1000 } }, { desired: 3 }],
    ['idle, but not for the idle timeout: keeps one', { current: 1, samples: steady(60, 0), state: calm(T - 10_000) }, { desired: 1 }],
    ['idle past the idle timeout: scales to zero', { current: 1, samples: steady(60, 0), state: calm(T - 31_000) }, { desired: 0 }],
    ['min 1 never goes to zero', { current: 1, samples: steady(60, 0), policy: { min: 1 }, state: calm(T - 3_600_000) }, { desired: 1 }],
    ['zero stays zero without traffic', { current: 0, samples: steady(60, 0), state: calm(T - 3_600_000) }, { desired: 0 }],
  ])('%s', (_, input, expected) => {
    const decision = decideReplicas({ now: T, current: input.current, samples: input.samples, policy: policy(input.policy), state: input.state ?? calm() });
    expect(decision.desired).toBe(expected.desired);
    if (expected.panic !== undefined) expect(decision.panic).toBe(expected.panic);
    expect(decision.reason).not.toBe('');
  });

  it('remembers when scaling down became wanted, and when it stops being wanted', () => {
    const p = policy({ scaleDownDelaySeconds: 30 });
    const first = decideReplicas({ now: T, current: 4, samples: steady(60, 2), policy: p, state: calm() });
    expect(first.state.lowerSince).toBe(T);
    const back = decideReplicas({ now: T + 1000, current: 4, samples: steady(60, 8), policy: p, state: first.state });
    expect(back.state.lowerSince).toBeNull();
  });

  it('tracks the last time anything was in flight', () => {
    const d = decideReplicas({ now: T, current: 1, samples: [{ at: T - 5000, concurrency: 3 }, { at: T, concurrency: 0 }], policy: policy(), state: calm(T - 60_000) });
    expect(d.state.lastActiveAt).toBe(T - 5000);
  });
});
