/**
 * Alert rules: the schema a user writes (YAML through `slipway alerts rules apply -f`, or
 * JSON through the API), the metric catalogue rules may name, and the default rules every
 * pipeline gets on its first push. Pure: parsing and defaults, no I/O.
 */
import { EXPERIENCE_AREAS, InvalidInputError, type Manifest, PIPELINE_NAME, zodIssues } from '@slipway/core';
import { parseDocument } from 'yaml';
import { z } from 'zod';

/**
 * Metrics a rule may watch, with the labels that select one series of them. The server
 * evaluates only those its `MetricSource` can serve (see alert-metrics.ts).
 */
export const ALERT_METRICS = {
  latency_p50: { unit: 'ms', labels: [] },
  latency_p90: { unit: 'ms', labels: [] },
  latency_p99: { unit: 'ms', labels: [] },
  latency_mean: { unit: 'ms', labels: [] },
  queue_p99: { unit: 'ms', labels: [] },
  /** Failed runs / runs, 0–1. */
  error_rate: { unit: 'ratio', labels: [] },
  /** Runs per second (a throughput drop is a `change` rule on it). */
  request_rate: { unit: 'per second', labels: [] },
  /** The drift statistic of one feature (labels.feature). */
  feature_drift: { unit: 'statistic', labels: ['feature'] },
  /** Share of drifted features, 0–1. */
  dataset_drift_share: { unit: 'ratio', labels: [] },
  /** Realized accuracy from feedback, 0–1. */
  accuracy: { unit: 'ratio', labels: [] },
  /** Confidence-based estimate of accuracy before labels arrive, 0–1. */
  estimated_accuracy: { unit: 'ratio', labels: [] },
  /** Disparate impact of one protected attribute (labels.attribute). */
  disparate_impact: { unit: 'ratio', labels: ['attribute'] },
  /** Mean of a business KPI per window (labels.kpi). */
  kpi: { unit: 'value', labels: ['kpi'] },
  /** Model cache misses (cold loads) per window. */
  cache_misses: { unit: 'count', labels: [] },
} as const satisfies Record<string, { unit: string; labels: readonly string[] }>;
export type AlertMetric = keyof typeof ALERT_METRICS;
export const ALERT_METRIC_NAMES = Object.keys(ALERT_METRICS) as AlertMetric[];

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `5m`, `2h`, `1d` → milliseconds; undefined when not a duration. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m === null ? undefined : Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
}

const duration = (max = 30 * 86_400_000) =>
  z.string().refine((t) => {
    const ms = durationMs(t);
    return ms !== undefined && ms <= max;
  }, 'must be a duration such as 30s, 5m, 2h or 1d (at most 30d)');

const thresholdSchema = z.strictObject({
  op: z.enum(['>', '>=', '<', '<=']),
  value: z.number().finite(),
});

/** Relative change of the current window against the mean of the `baseline` before it. */
const changeSchema = z.strictObject({
  direction: z.enum(['increase', 'decrease']),
  /** Percent of the baseline, e.g. 50 for a drop to half. */
  percent: z.number().positive().max(10_000),
  baseline: duration(),
});

/** Outside mean ± k·σ of the `referenceWindows` windows before the current one (NannyML's rule). */
const anomalySchema = z.strictObject({
  k: z.number().positive().max(100),
  direction: z.enum(['above', 'below', 'both']).default('both'),
  referenceWindows: z.number().int().min(3).max(1000).default(12),
});

const webhookActionSchema = z.strictObject({
  webhook: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    /** Signs the body like a webhook channel does (HMAC-SHA256). */
    secret: z.string().min(8).optional(),
  }),
});

const commandActionSchema = z.strictObject({
  command: z.strictObject({
    /** Program and arguments; run without a shell. The evidence arrives as JSON on stdin. */
    argv: z.array(z.string().min(1)).min(1).max(64),
    timeout: duration(3_600_000).default('60s'),
  }),
});

const label = z.string().regex(/^[A-Za-z0-9_.:/ -]{1,200}$/, 'must be 1–200 letters, digits, spaces or _.:/-');

export const alertRuleSchema = z
  .strictObject({
    /** Unique within the pipeline; names the rule in alerts and the CLI. */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1–63 characters of a-z, 0-9, ".", "_", "-"'),
    pipeline: z.string().regex(PIPELINE_NAME, 'must be a pipeline name'),
    metric: z.enum(ALERT_METRIC_NAMES as [AlertMetric, ...AlertMetric[]]),
    /** Selects the series (`feature`, `attribute`, `kpi`, `version`, `deployment`) and is copied onto the alert. */
    labels: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'label names are lowercase identifiers'), label).default({}),
    threshold: thresholdSchema.optional(),
    change: changeSchema.optional(),
    anomaly: anomalySchema.optional(),
    /** Aggregation window of the metric. */
    window: duration().default('5m'),
    /** How long the condition must hold before the alert fires (0s fires at once). */
    for: duration().default('0s'),
    severity: z.enum(['critical', 'warning', 'info']).default('warning'),
    runbook: z.url({ protocol: /^https?$/ }).optional(),
    /** Experience areas this rule's alerts hurt, added to what classification decides. */
    areas: z.array(z.enum(EXPERIENCE_AREAS as [string, ...string[]])).default([]),
    hysteresis: z
      .strictObject({
        /** How far back past the bound the value must be to count towards resolving; default 10 % of the bound's scale. */
        margin: z.number().min(0).optional(),
        /** Consecutive evaluations past the margin before the alert resolves. Default 2. */
        clearAfter: z.number().int().min(1).max(100).default(2),
      })
      .default({ clearAfter: 2 }),
    actions: z.array(z.union([webhookActionSchema, commandActionSchema])).max(8).default([]),
    enabled: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    const given = (['threshold', 'change', 'anomaly'] as const).filter((k) => r[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `needs exactly one condition of threshold, change or anomaly (got ${given.length === 0 ? 'none' : given.join(' and ')})` });
    }
    for (const needed of ALERT_METRICS[r.metric].labels) {
      if (r.labels[needed] === undefined) ctx.addIssue({ code: 'custom', path: ['labels', needed], message: `is required for metric ${r.metric}` });
    }
  });

export type AlertRuleSpec = z.infer<typeof alertRuleSchema>;
export type AlertRuleInput = z.input<typeof alertRuleSchema>;

/** Parses one rule; `InvalidInputError` lists every problem under `prefix`. */
export function parseAlertRule(value: unknown, prefix = ''): AlertRuleSpec {
  const result = alertRuleSchema.safeParse(value);
  if (!result.success) throw new InvalidInputError(zodIssues(result.error, prefix));
  return result.data;
}

const rulesDocumentSchema = z.strictObject({ rules: z.array(z.unknown()).min(1).max(500) });

/** Parses `{rules: [...]}` (YAML or JSON text, or an object), reporting every rule's problems at once. */
/** `input`: YAML or JSON text, or an already parsed object. */
export function parseAlertRules(input: unknown): AlertRuleSpec[] {
  let value = input;
  if (typeof input === 'string') {
    const doc = parseDocument(input, { prettyErrors: false });
    if (doc.errors.length > 0) throw new InvalidInputError(doc.errors.map((e) => ({ path: 'rules', message: `YAML syntax: ${e.message}` })));
    value = doc.toJS() as unknown;
  }
  const outer = rulesDocumentSchema.safeParse(value);
  if (!outer.success) throw new InvalidInputError(zodIssues(outer.error).map((i) => ({ ...i, message: `${i.message} (expected {rules: [ {name, pipeline, metric, threshold…} ]})` })));
  const issues: { path: string; message: string }[] = [];
  const rules: AlertRuleSpec[] = [];
  outer.data.rules.forEach((r, i) => {
    const parsed = alertRuleSchema.safeParse(r);
    if (parsed.success) rules.push(parsed.data);
    else issues.push(...zodIssues(parsed.error, `rules[${i}]`));
  });
  const seen = new Set<string>();
  rules.forEach((r) => {
    const key = `${r.pipeline}/${r.name}`;
    if (seen.has(key)) issues.push({ path: 'rules', message: `rule "${r.name}" of pipeline "${r.pipeline}" is given twice; names are unique per pipeline` });
    seen.add(key);
  });
  if (issues.length > 0) throw new InvalidInputError(issues);
  return rules;
}

/**
 * The rules a pipeline starts with: error rate, p99 latency, dataset drift, an accuracy
 * drop for classifiers and disparate impact < 0.8 per protected attribute. Only metrics
 * in `available` (what the server can measure) get a rule, so no default waits on data
 * that never comes.
 */
export function defaultAlertRules(manifest: Manifest, available: ReadonlySet<AlertMetric>): AlertRuleSpec[] {
  const pipeline = manifest.name;
  const window = `${manifest.monitoring?.windowMinutes ?? 5}m`;
  const rules: AlertRuleInput[] = [
    { name: 'error-rate', pipeline, metric: 'error_rate', threshold: { op: '>', value: 0.05 }, window: '5m', for: '5m', severity: 'critical', areas: ['technical_operations', 'users'] },
    { name: 'latency-p99', pipeline, metric: 'latency_p99', threshold: { op: '>', value: 1000 }, window: '5m', for: '10m', severity: 'warning', areas: ['technical_operations', 'users'] },
  ];
  if (manifest.tabular !== undefined) {
    rules.push({ name: 'dataset-drift', pipeline, metric: 'dataset_drift_share', threshold: { op: '>=', value: manifest.monitoring?.drift?.driftShare ?? 0.5 }, window, severity: 'warning' });
  }
  if (manifest.outputs?.classLabels !== undefined) {
    const trained = manifest.lineage?.metrics?.accuracy;
    rules.push(
      trained === undefined
        ? { name: 'accuracy-drop', pipeline, metric: 'accuracy', change: { direction: 'decrease', percent: 10, baseline: '1d' }, window: '1h', severity: 'warning' }
        : { name: 'accuracy-drop', pipeline, metric: 'accuracy', threshold: { op: '<', value: Math.round(trained * 0.9 * 1000) / 1000 }, window: '1h', severity: 'warning' },
    );
  }
  for (const attribute of manifest.monitoring?.protectedAttributes ?? []) {
    rules.push({
      name: `disparate-impact-${attribute.name}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-').slice(0, 63),
      pipeline,
      metric: 'disparate_impact',
      labels: { attribute: attribute.name },
      threshold: { op: '<', value: 0.8 },
      window: '1h',
      severity: 'warning',
    });
  }
  return rules.filter((r) => available.has(r.metric)).map((r) => alertRuleSchema.parse(r));
}

/** One line saying what a rule watches: `error_rate > 0.05 over 5m for 5m`. */
export function describeCondition(rule: AlertRuleSpec): string {
  const labels = Object.entries(rule.labels).map(([k, v]) => `${k}=${v}`);
  const metric = labels.length === 0 ? rule.metric : `${rule.metric}{${labels.join(',')}}`;
  const cond =
    rule.threshold !== undefined
      ? `${rule.threshold.op} ${rule.threshold.value}`
      : rule.change !== undefined
        ? `${rule.change.direction}s ${rule.change.percent}% vs ${rule.change.baseline} baseline`
        : `outside mean ± ${rule.anomaly?.k ?? 3}σ of ${rule.anomaly?.referenceWindows ?? 12} windows (${rule.anomaly?.direction ?? 'both'})`;
  return `${metric} ${cond} over ${rule.window}${rule.for === '0s' ? '' : ` for ${rule.for}`}`;
}
