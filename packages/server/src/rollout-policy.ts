/**
 * The pure decisions of rollouts: window statistics of a version's runs, the automatic
 * rollback verdict (candidate worse than stable by the configured margins), what a
 * rollout does next on a tick, how traffic splits between versions (sticky per caller
 * key), and whether a candidate's signature can take the stable version's traffic.
 */
import type { FieldIssue, ModelSignature, RollbackPolicy, RolloutState, TensorSpec, TrafficSplit } from '@slipway/core';

/** One finished run of a version. */
export interface RunSample {
  /** Epoch ms when it finished. */
  at: number;
  latencyMs: number;
  error: boolean;
}

export interface WindowStats {
  requests: number;
  errors: number;
  errorRate: number;
  /** 99th percentile latency (nearest rank); 0 without runs. */
  p99Ms: number;
}

/** Statistics of the runs that finished in the `windowMs` before `now`. */
export function windowStats(samples: readonly RunSample[], now: number, windowMs: number): WindowStats {
  const latencies: number[] = [];
  let errors = 0;
  for (const s of samples) {
    if (s.at <= now - windowMs || s.at > now) continue;
    latencies.push(s.latencyMs);
    if (s.error) errors++;
  }
  const requests = latencies.length;
  latencies.sort((a, b) => a - b);
  const p99Ms = requests === 0 ? 0 : (latencies[Math.ceil(0.99 * requests) - 1] as number);
  return { requests, errors, errorRate: requests === 0 ? 0 : errors / requests, p99Ms };
}

export type RollbackVerdict = { rollback: false; reason: string } | { rollback: true; reason: string };

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Rolls back when the candidate's error rate exceeds the stable version's by more than
 * `maxErrorRateIncrease`, or its p99 latency exceeds stable's × `maxP99Ratio` + `p99MarginMs`,
 * over the window; no verdict before the candidate has `minRequests` runs in it.
 */
export function rollbackVerdict(stable: WindowStats, candidate: WindowStats, policy: RollbackPolicy): RollbackVerdict {
  const window = `over ${policy.windowSeconds} s`;
  if (candidate.requests < policy.minRequests) {
    return { rollback: false, reason: `waiting for rollback.minRequests: ${candidate.requests} of ${policy.minRequests} candidate runs ${window}` };
  }
  if (candidate.errorRate - stable.errorRate > policy.maxErrorRateIncrease) {
    return {
      rollback: true,
      reason: `candidate error rate ${pct(candidate.errorRate)} (${candidate.errors} of ${candidate.requests} runs) exceeds stable's ${pct(stable.errorRate)} by more than rollback.maxErrorRateIncrease ${pct(policy.maxErrorRateIncrease)} ${window}`,
    };
  }
  if (stable.requests > 0) {
    const limit = stable.p99Ms * policy.maxP99Ratio + policy.p99MarginMs;
    if (candidate.p99Ms > limit) {
      return {
        rollback: true,
        reason: `candidate p99 latency ${candidate.p99Ms.toFixed(1)} ms exceeds stable's ${stable.p99Ms.toFixed(1)} ms × rollback.maxP99Ratio ${policy.maxP99Ratio} + ${policy.p99MarginMs} ms ${window}`,
      };
    }
  }
  return { rollback: false, reason: `candidate within margins ${window}` };
}

export type RolloutAction = { action: 'hold' } | { action: 'rollback'; reason: string } | { action: 'step'; step: number; percent: number } | { action: 'promote' };

/**
 * What a running rollout does at `now`: roll back on a bad verdict; a canary whose step
 * interval has passed moves to its next step, or is promoted after the last step (100 %)
 * has held for an interval. Shadow and A/B rollouts only roll back by themselves.
 */
export function nextRolloutAction(state: RolloutState, verdict: RollbackVerdict, now: number): RolloutAction {
  if (state.status !== 'running') return { action: 'hold' };
  if (verdict.rollback) return { action: 'rollback', reason: verdict.reason };
  if (state.strategy !== 'canary' || state.nextStepAt === null || Date.parse(state.nextStepAt) > now) return { action: 'hold' };
  const next = state.step + 1;
  const percent = state.steps[next];
  if (percent === undefined) return { action: 'promote' };
  return { action: 'step', step: next, percent };
}

/** A share of traffic for one version. */
export interface TrafficArm {
  version: number;
  weight: number;
}

/**
 * The arms traffic is split between: a running canary or A/B rollout sends `percent` to the
 * candidate (listed first, so a caller key inside the candidate's share stays there as the
 * share grows) and the rest to stable; else a fixed `traffic` split; else all to `version`.
 */
export function trafficArms(version: number, traffic: TrafficSplit | null, rollout: RolloutState | null): TrafficArm[] {
  if (rollout?.status === 'running' && rollout.strategy !== 'shadow') {
    return [
      { version: rollout.candidate, weight: rollout.percent },
      { version: rollout.stable, weight: 100 - rollout.percent },
    ];
  }
  if (rollout?.status === 'running') return [{ version: rollout.stable, weight: 100 }];
  if (traffic !== null) return traffic.map((t) => ({ version: t.version, weight: t.weight }));
  return [{ version, weight: 100 }];
}

/** The version at `point` ∈ [0, 100) of the arms' cumulative weights. */
export function chooseArm(arms: readonly TrafficArm[], point: number): number {
  let edge = 0;
  for (const arm of arms) {
    edge += arm.weight;
    if (point < edge && arm.weight > 0) return arm.version;
  }
  // Rounding (weights summing to 99.999…) or a zero-weight tail: the last arm with weight.
  return [...arms].reverse().find((a) => a.weight > 0)?.version ?? (arms[0] as TrafficArm).version;
}

/** A caller key's fixed point in [0, 100): FNV-1a, so the same key always lands on the same arm. */
export function stickyPoint(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 10_000) / 100;
}

const shape = (spec: TensorSpec) => `[${spec.shape.join(', ')}]`;

/**
 * Why a candidate cannot take a stable version's traffic: every input the stable version
 * takes must exist in the candidate with the same datatype and shape, and every output
 * callers get from stable likewise. Empty when compatible.
 */
export function signatureDifferences(stable: ModelSignature, candidate: ModelSignature, names = { stable: 'stable', candidate: 'candidate' }): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const compare = (kind: 'inputs' | 'outputs') => {
    const theirs = new Map(candidate[kind].map((s) => [s.name, s]));
    for (const spec of stable[kind]) {
      const other = theirs.get(spec.name);
      if (other === undefined) {
        issues.push({ path: `${kind}.${spec.name}`, message: `${names.stable} has it, ${names.candidate} does not` });
        continue;
      }
      if (other.datatype !== spec.datatype) issues.push({ path: `${kind}.${spec.name}.datatype`, message: `${names.stable} has ${spec.datatype}, ${names.candidate} has ${other.datatype}` });
      if (shape(other) !== shape(spec)) issues.push({ path: `${kind}.${spec.name}.shape`, message: `${names.stable} has ${shape(spec)}, ${names.candidate} has ${shape(other)}` });
    }
    if (kind === 'inputs') {
      const known = new Set(stable.inputs.map((s) => s.name));
      for (const spec of candidate.inputs) if (!known.has(spec.name)) issues.push({ path: `inputs.${spec.name}`, message: `${names.candidate} requires it, ${names.stable} does not` });
    }
  };
  compare('inputs');
  compare('outputs');
  return issues;
}
