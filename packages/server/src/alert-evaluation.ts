/**
 * The alert decision, as one pure function of a rule, its metric windows, the state the
 * last evaluation left and the time: inactive → pending (condition true, `for` not yet
 * met) → firing → resolved. Hysteresis keeps a metric that oscillates around its bound
 * from flapping: a firing alert resolves only after `clearAfter` consecutive evaluations
 * with the value back past the bound by `margin`, so it yields one alert, not dozens.
 */
import type { AlertStatus } from '@slipway/core';
import { type AlertRuleSpec, durationMs } from './alert-rules.js';

/** One window of a metric: its start (epoch ms, aligned to the window length) and value. */
export interface MetricPoint {
  start: number;
  value: number;
}

/** What the evaluator remembers between evaluations of one (rule, labels) series. */
export interface EvalSnapshot {
  status: AlertStatus;
  /** When `status` last changed, epoch ms. */
  since: number;
  clearStreak: number;
}

/** How the current value stands against the rule's bound. */
export interface Judgement {
  value: number;
  /** The bound it is compared with: the threshold, baseline ± change or mean ± kσ. */
  bound: number;
  /** True when the condition holds. */
  breach: boolean;
  /** True when the value is back past the bound by the margin (counts towards resolving). */
  clear: boolean;
}

export interface Evaluation {
  next: EvalSnapshot;
  /** Set on the evaluation that starts or ends an alert. */
  transition: 'fired' | 'resolved' | null;
  /** Undefined when the rule could not be judged (no data, or no baseline yet). */
  judgement: Judgement | undefined;
}

export const INITIAL_SNAPSHOT: EvalSnapshot = Object.freeze({ status: 'inactive', since: 0, clearStreak: 0 });

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Judges `value > bound` (or below) with the margin applied on the way back. */
function against(value: number, bound: number, above: boolean, strict: boolean, margin: number): Judgement {
  const breach = above ? (strict ? value > bound : value >= bound) : strict ? value < bound : value <= bound;
  const clear = above ? value < bound - margin || (margin === 0 && !breach) : value > bound + margin || (margin === 0 && !breach);
  return { value, bound, breach, clear };
}

/**
 * The current window (the newest, when it started within the last two windows) judged
 * against the rule's condition; undefined when there is no current window or, for change
 * and anomaly rules, not enough history to compare with.
 */
export function judge(rule: AlertRuleSpec, points: readonly MetricPoint[], now: number): Judgement | undefined {
  const windowMs = durationMs(rule.window) ?? 300_000;
  const sorted = [...points].filter((p) => Number.isFinite(p.value) && p.start <= now).sort((a, b) => a.start - b.start);
  const current = sorted.at(-1);
  if (current === undefined || current.start <= now - 2 * windowMs) return undefined;
  const history = sorted.slice(0, -1);
  const margin = rule.hysteresis.margin;
  if (rule.threshold !== undefined) {
    const { op, value } = rule.threshold;
    const above = op === '>' || op === '>=';
    return against(current.value, value, above, op === '>' || op === '<', margin ?? 0.1 * Math.abs(value));
  }
  if (rule.change !== undefined) {
    const baselineMs = durationMs(rule.change.baseline) ?? 0;
    const base = history.filter((p) => p.start >= current.start - baselineMs);
    if (base.length === 0) return undefined;
    const baseline = mean(base.map((p) => p.value));
    const delta = (Math.abs(baseline) * rule.change.percent) / 100;
    const above = rule.change.direction === 'increase';
    return against(current.value, above ? baseline + delta : baseline - delta, above, false, margin ?? 0.1 * delta);
  }
  const { k, direction, referenceWindows } = rule.anomaly ?? { k: 3, direction: 'both', referenceWindows: 12 };
  const reference = history.slice(-referenceWindows).map((p) => p.value);
  if (reference.length < 3) return undefined;
  const m = mean(reference);
  const sigma = Math.sqrt(reference.reduce((a, x) => a + (x - m) ** 2, 0) / (reference.length - 1));
  const above = direction === 'above' || (direction === 'both' && current.value >= m);
  return against(current.value, above ? m + k * sigma : m - k * sigma, above, true, margin ?? 0.1 * k * sigma);
}

/** The next state of one series after one evaluation at `now`. */
export function evaluateRule(rule: AlertRuleSpec, points: readonly MetricPoint[], previous: EvalSnapshot | undefined, now: number): Evaluation {
  const prev = previous ?? INITIAL_SNAPSHOT;
  const judgement = rule.enabled ? judge(rule, points, now) : undefined;
  const forMs = durationMs(rule.for) ?? 0;
  const to = (status: AlertStatus, transition: Evaluation['transition'] = null, clearStreak = 0): Evaluation => ({
    next: { status, since: status === prev.status ? prev.since : now, clearStreak },
    transition,
    judgement,
  });

  switch (prev.status) {
    case 'inactive':
    case 'resolved':
      if (judgement?.breach !== true) return to(prev.status);
      return forMs === 0 ? to('firing', 'fired') : to('pending');
    case 'pending':
      if (judgement?.breach !== true) return to('inactive');
      return now - prev.since >= forMs ? to('firing', 'fired') : to('pending');
    case 'firing': {
      // A disabled rule resolves what it was firing; no data keeps the alert as it is.
      if (!rule.enabled) return to('resolved', 'resolved');
      if (judgement === undefined) return to('firing', null, prev.clearStreak);
      if (!judgement.clear) return to('firing');
      const streak = prev.clearStreak + 1;
      return streak >= rule.hysteresis.clearAfter ? to('resolved', 'resolved') : to('firing', null, streak);
    }
  }
}
