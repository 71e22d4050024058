/**
 * The autoscaling policy (Knative's model), as a pure function of what was observed: how
 * many replicas a deployment's version should have now. The actuator (`autoscaler.ts`)
 * samples concurrency, calls this on every tick and applies the answer.
 *
 * - Stable mode: desired = ⌈average in-flight runs over the stable window / target concurrency⌉.
 * - Panic mode: when the panic window's average asks for ≥ `panicThreshold` × the current
 *   replicas, the panic window decides for one stable window, and nothing scales down.
 * - Queue time: an average queue wait above `maxQueueMs` adds a replica whatever concurrency says.
 * - Scale to zero (min 0): only after `idleTimeoutSeconds` without a run in flight.
 * - Delays and rates: a change must be wanted for its delay before it happens (activation
 *   from zero never waits), and one step multiplies or divides by at most the max rates.
 */
import type { ScalingPolicy } from '@slipway/core';

/** One observation of a version: runs in flight (queued, loading or running) and the average queue wait since the last. */
export interface ConcurrencySample {
  /** Epoch ms. */
  at: number;
  concurrency: number;
  queueMs?: number;
}

/** What the policy remembers between ticks; start from `initialAutoscalerState`. */
export interface AutoscalerState {
  /** Epoch ms until which panic mode holds; null when calm. */
  panicUntil: number | null;
  /** Epoch ms of the last sample with a run in flight. */
  lastActiveAt: number;
  /** Since when a higher (lower) count than the current has been wanted. */
  higherSince: number | null;
  lowerSince: number | null;
}

export const initialAutoscalerState = (now: number): AutoscalerState => ({ panicUntil: null, lastActiveAt: now, higherSince: null, lowerSince: null });

export interface AutoscaleInput {
  now: number;
  /** Replicas loaded now. */
  current: number;
  samples: readonly ConcurrencySample[];
  policy: ScalingPolicy;
  state: AutoscalerState;
}

export interface AutoscaleDecision {
  desired: number;
  panic: boolean;
  /** Why, for status and logs. */
  reason: string;
  state: AutoscalerState;
}

function average(samples: readonly ConcurrencySample[], from: number, pick: (s: ConcurrencySample) => number | undefined): number {
  let sum = 0;
  let n = 0;
  for (const s of samples) {
    const v = pick(s);
    if (s.at > from && v !== undefined) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

export function decideReplicas({ now, current, samples, policy, state }: AutoscaleInput): AutoscaleDecision {
  const stableFrom = now - policy.stableWindowSeconds * 1000;
  const panicFrom = now - policy.panicWindowSeconds * 1000;
  const stableAvg = average(samples, stableFrom, (s) => s.concurrency);
  const panicAvg = average(samples, panicFrom, (s) => s.concurrency);
  const queueAvg = average(samples, panicFrom, (s) => s.queueMs);
  const stableWant = Math.ceil(stableAvg / policy.targetConcurrency);
  const panicWant = Math.ceil(panicAvg / policy.targetConcurrency);

  let lastActiveAt = state.lastActiveAt;
  for (const s of samples) if (s.concurrency > 0 && s.at > lastActiveAt) lastActiveAt = s.at;

  let panicUntil = state.panicUntil !== null && now < state.panicUntil ? state.panicUntil : null;
  if (current > 0 && panicWant >= policy.panicThreshold * current && panicWant > current) panicUntil = now + policy.stableWindowSeconds * 1000;
  const panic = panicUntil !== null;

  let want = panic ? Math.max(current, panicWant, stableWant) : stableWant;
  let reason = panic ? `panic: ${panicAvg.toFixed(1)} in flight over ${policy.panicWindowSeconds} s` : `${stableAvg.toFixed(1)} in flight over ${policy.stableWindowSeconds} s`;
  if (queueAvg > policy.maxQueueMs && current > 0) {
    want = Math.max(want, current + 1);
    reason = `queue wait ${Math.round(queueAvg)} ms > scaling.maxQueueMs ${policy.maxQueueMs}`;
  }
  // Something is in flight: at least one replica, at once (activation).
  const busy = panicAvg > 0 || (samples.at(-1)?.concurrency ?? 0) > 0;
  if (busy) want = Math.max(want, 1);
  // Idle but not for long enough: keep one replica warm.
  const idleMs = now - lastActiveAt;
  if (want === 0 && current > 0 && idleMs < policy.idleTimeoutSeconds * 1000) want = 1;
  if (want === 0 && current > 0) reason = `idle for ${Math.round(idleMs / 1000)} s ≥ scaling.idleTimeoutSeconds ${policy.idleTimeoutSeconds}`;

  want = Math.min(policy.max, Math.max(policy.min, want));
  if (current > 0) {
    want = Math.min(want, Math.ceil(current * policy.maxScaleUpRate));
    want = Math.max(want, Math.floor(current / policy.maxScaleDownRate));
  }

  let { higherSince, lowerSince } = state;
  let desired = want;
  if (want > current) {
    lowerSince = null;
    higherSince ??= now;
    if (current > 0 && now - higherSince < policy.scaleUpDelaySeconds * 1000) {
      desired = current;
      reason = `waiting scaling.scaleUpDelaySeconds before ${current} → ${want}`;
    }
  } else if (want < current) {
    higherSince = null;
    lowerSince ??= now;
    if (panic) {
      desired = current;
    } else if (now - lowerSince < policy.scaleDownDelaySeconds * 1000) {
      desired = current;
      reason = `waiting scaling.scaleDownDelaySeconds before ${current} → ${want}`;
    }
  } else {
    higherSince = null;
    lowerSince = null;
  }
  return { desired, panic, reason, state: { panicUntil, lastActiveAt, higherSince, lowerSince } };
}
