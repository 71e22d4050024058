/**
 * Which experience areas an alert hurts, decided by rules users can edit (stored as the
 * `classification` setting, replaced whole through the API). Each rule matches alerts by
 * metric (`*` globs), rule name or label and adds its areas; a rule's own `areas` hints
 * are added too. Pure: the incident service applies it to every alert that joins.
 */
import { EXPERIENCE_AREAS, type ExperienceArea, InvalidInputError, zodIssues } from '@slipway/core';
import { z } from 'zod';

const classificationRuleSchema = z
  .strictObject({
    /** Metric names, `*` matching any characters: `latency_*`. */
    metrics: z.array(z.string().min(1).max(100)).max(50).optional(),
    /** Alert rule names. */
    rules: z.array(z.string().min(1).max(100)).max(50).optional(),
    /** Label values that must all match, e.g. `{ feature: income }`. */
    labels: z.record(z.string(), z.string()).optional(),
    areas: z.array(z.enum(EXPERIENCE_AREAS as [string, ...string[]])).min(1),
    /** Why, shown on the incident's timeline: `fairness violation (compliance)`. */
    reason: z.string().min(1).max(200),
  })
  .refine((r) => r.metrics !== undefined || r.rules !== undefined || r.labels !== undefined, { message: 'needs at least one of metrics, rules or labels to match on' });

export const classificationRulesSchema = z.array(classificationRuleSchema).max(200);
export type ClassificationRule = z.infer<typeof classificationRuleSchema>;

/** The rules a server starts with; replaced whole by `PUT /v1/incidents/classification`. */
export const DEFAULT_CLASSIFICATION: readonly ClassificationRule[] = Object.freeze([
  { metrics: ['latency_*', 'queue_*', 'error_rate', 'request_rate', 'cache_misses', 'unschedulable*'], areas: ['technical_operations'], reason: 'latency, errors or capacity' },
  { metrics: ['latency_p99', 'latency_p90', 'latency_mean', 'error_rate'], areas: ['users'], reason: 'error responses or latency felt by callers' },
  { metrics: ['feature_drift', 'dataset_drift_share', 'missing_*', 'schema_*'], areas: ['data_operations'], reason: 'drift, missing values or schema violations' },
  { metrics: ['accuracy', 'estimated_accuracy', 'kpi'], areas: ['business'], reason: 'model quality or business KPI drop' },
  { metrics: ['disparate_impact', 'fairness_*'], areas: ['business'], reason: 'fairness violation (compliance)' },
]);

export function parseClassificationRules(value: unknown): ClassificationRule[] {
  const parsed = classificationRulesSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(zodIssues(parsed.error).map((i) => ({ ...i, path: `rules${i.path}` })));
  return parsed.data;
}

const globCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    globCache.set(pattern, re);
  }
  return re;
}

export interface ClassifiedAlert {
  metric: string;
  ruleName: string;
  labels: Record<string, string>;
  /** The alert rule's own `areas` hints. */
  hints: readonly string[];
}

/** The areas an alert hurts (in the glossary's order) and the reasons that put them there. */
export function classifyAlert(alert: ClassifiedAlert, rules: readonly ClassificationRule[]): { areas: ExperienceArea[]; reasons: string[] } {
  const areas = new Set<string>(alert.hints);
  const reasons: string[] = alert.hints.length > 0 ? [`rule "${alert.ruleName}" names ${alert.hints.join(', ')}`] : [];
  for (const r of rules) {
    const metricOk = r.metrics === undefined || r.metrics.some((m) => glob(m).test(alert.metric));
    const ruleOk = r.rules === undefined || r.rules.includes(alert.ruleName);
    const labelsOk = r.labels === undefined || Object.entries(r.labels).every(([k, v]) => alert.labels[k] === v);
    if (metricOk && ruleOk && labelsOk) {
      r.areas.forEach((a) => areas.add(a));
      reasons.push(`${r.reason} → ${r.areas.join(', ')}`);
    }
  }
  return { areas: EXPERIENCE_AREAS.filter((a) => areas.has(a)), reasons };
}
