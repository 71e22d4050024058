/**
 * The package manifest, `slipway.yaml`: what a data scientist writes next to the model
 * file. Parsing reports every problem at once, each naming its field.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { type FieldIssue, InvalidPackageError } from './errors.js';
import { PIPELINE_NAME } from './pipeline-name.js';

export const MANIFEST_FILE = 'slipway.yaml';

/** Serving limits a version gets when its manifest sets none. */
export const SERVING_DEFAULTS = Object.freeze({ maxConcurrency: 64, maxQueue: 256, queueTimeoutMs: 30_000 });

export { PIPELINE_NAME };
const PIPELINE_NAME_HINT = 'must be 1–63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit';

export const FeatureType = { numeric: 'numeric', categorical: 'categorical', boolean: 'boolean' } as const;
export type FeatureType = (typeof FeatureType)[keyof typeof FeatureType];

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the package (no leading "/", no "..")',
  });

const featureSchema = z
  .strictObject({
    name: z.string().min(1),
    type: z.enum(['numeric', 'categorical', 'boolean']),
    /** Categorical only: the allowed values, one-hot encoded in this order. */
    categories: z.array(z.string()).min(1).optional(),
    description: z.string().optional(),
  })
  .superRefine((f, ctx) => {
    if (f.type === 'categorical' && f.categories === undefined) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'is required for a categorical feature (list its values)' });
    }
    if (f.type !== 'categorical' && f.categories !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: `is only allowed on categorical features, not ${f.type}` });
    }
  });

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A value inside a shipped alert rule: YAML scalars, lists and maps (the server's alert schema checks the rest). */
type AlertRuleValue = string | number | boolean | AlertRuleValue[] | { [key: string]: AlertRuleValue };
const alertRuleValue: z.ZodType<AlertRuleValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.array(alertRuleValue), z.record(z.string(), alertRuleValue)]));

/** Drift methods a manifest may name (the statistics of @slipway/monitoring's drift.ts). */
export const DRIFT_METHODS = ['ks', 'chi_square', 'z_test', 'wasserstein', 'jensen_shannon', 'psi'] as const;

const driftOverrideSchema = z.strictObject({
  /** Statistic for this column; default chosen by column type and reference size (Evidently's rules). */
  method: z.enum(DRIFT_METHODS).optional(),
  /** p-value below which (tests) or distance at or above which (distances) the column drifts; needs a method here or in drift.method. */
  threshold: z.number().positive().optional(),
});

/**
 * A protected attribute and its privileged group: category values (`[male]`), or for a
 * numeric feature a range `{ min, max }` (min inclusive, max exclusive) — `{ min: 25 }`
 * makes ages ≥ 25 privileged and the rest unprivileged.
 */
const protectedAttributeSchema = z.strictObject({
  name: z.string().min(1),
  privileged: z.union([
    z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).min(1),
    z
      .strictObject({ min: z.number().optional(), max: z.number().optional() })
      .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'needs min, max or both (min inclusive, max exclusive)' })
      .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, { message: 'min must be < max' }),
  ]),
});

/** Monitoring of a tabular pipeline: sampling, reference profile, drift, fairness. */
const monitoringSchema = z.strictObject({
  /** Share of runs written to the prediction log, 0–1. Default 1 for tabular pipelines. */
  sampleRate: z.number().min(0).max(1).optional(),
  /** CSV in the package (header of feature names, optional label column) profiled at push as the reference. */
  reference: relativePath.optional(),
  /** Column of the reference CSV holding the true label (a class label, or its index in `outputs.classLabels`). */
  label: z.string().min(1).optional(),
  /** The class counted as positive for binary metrics, fairness and CBPE. Default the last of `outputs.classLabels`. */
  positiveClass: z.string().min(1).optional(),
  protectedAttributes: z.array(protectedAttributeSchema).optional(),
  drift: z
    .strictObject({
      /** Statistic for every column; default chosen per column (Evidently's rules). */
      method: z.enum(DRIFT_METHODS).optional(),
      /** Threshold of `method`, for every column that uses it; needs `method`. */
      threshold: z.number().positive().optional(),
      /** Share of drifted columns at which the dataset drifts. Default 0.5. */
      driftShare: z.number().min(0).max(1).optional(),
      /** Per-feature overrides, by feature name. */
      features: z.record(z.string(), driftOverrideSchema).optional(),
    })
    .optional(),
  /** Length of a production window. Default 5 minutes. */
  windowMinutes: z.number().int().min(1).max(1440).optional(),
});

type MonitoringInput = z.infer<typeof monitoringSchema>;
type TabularInput = { features: { name: string; type: string; categories?: string[] | undefined }[] };

/** Cross-checks `monitoring` against the tabular features and the output classes. */
function checkMonitoring(m: MonitoringInput, tabular: TabularInput | undefined, classLabels: readonly string[] | undefined, ctx: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path: ['monitoring', ...path], message });
  const features = new Map((tabular?.features ?? []).map((f) => [f.name, f]));
  const known = () => (features.size === 0 ? 'the manifest has no tabular features' : `features are ${[...features.keys()].join(', ')}`);
  if (tabular === undefined && (m.reference !== undefined || m.protectedAttributes !== undefined || m.drift !== undefined)) {
    issue([], 'needs a tabular section: reference profiles, drift and fairness work on named features');
  }
  if (m.label !== undefined && features.has(m.label)) issue(['label'], `"${m.label}" is a feature; name the CSV column that holds the true label`);
  if (m.positiveClass !== undefined && classLabels !== undefined && !classLabels.includes(m.positiveClass)) {
    issue(['positiveClass'], `"${m.positiveClass}" is not one of outputs.classLabels (${classLabels.join(', ')})`);
  }
  m.protectedAttributes?.forEach((a, i) => {
    const f = features.get(a.name);
    if (f === undefined) {
      if (tabular !== undefined) issue(['protectedAttributes', i, 'name'], `"${a.name}" is not a tabular feature; ${known()}`);
      return;
    }
    if (Array.isArray(a.privileged)) {
      if (f.type === 'numeric') issue(['protectedAttributes', i, 'privileged'], `"${a.name}" is numeric: give a range such as { min: 25 }`);
      const allowed = f.type === 'boolean' ? ['true', 'false'] : (f.categories ?? []);
      a.privileged.forEach((v, j) => {
        if (f.type !== 'numeric' && !allowed.includes(v)) issue(['protectedAttributes', i, 'privileged', j], `"${v}" is not a value of "${a.name}" (${allowed.join(', ')})`);
      });
    } else if (f.type !== 'numeric') {
      issue(['protectedAttributes', i, 'privileged'], `"${a.name}" is ${f.type}: list the privileged values instead of a range`);
    }
  });
  // A p-value threshold (tests) and a distance threshold mean opposite things: a threshold needs its method.
  const ambiguous = 'needs a method beside it (drift.method or the feature\'s method): tests drift below a p-value, distances at or above a distance';
  if (m.drift?.threshold !== undefined && m.drift.method === undefined) issue(['drift', 'threshold'], ambiguous);
  for (const [name, override] of Object.entries(m.drift?.features ?? {})) {
    if (!features.has(name) && tabular !== undefined) issue(['drift', 'features', name], `"${name}" is not a tabular feature; ${known()}`);
    if (override.threshold !== undefined && override.method === undefined && m.drift?.method === undefined) issue(['drift', 'features', name, 'threshold'], ambiguous);
  }
}

export const manifestSchema = z.strictObject({
  name: z.string().regex(PIPELINE_NAME, PIPELINE_NAME_HINT),
  description: z.string().max(2000).optional(),
  runtime: z.literal('onnx').default('onnx'),
  /** Path of the ONNX model inside the package. Default `model.onnx`. */
  model: relativePath.default('model.onnx'),
  /** Tabular features packed, in order, into one 2-D model input (categoricals one-hot). */
  tabular: z
    .strictObject({
      input: z.string().min(1).optional(),
      features: z.array(featureSchema).min(1),
    })
    .superRefine((t, ctx) => {
      const seen = new Set<string>();
      t.features.forEach((f, i) => {
        if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message: `duplicates feature "${f.name}"` });
        seen.add(f.name);
      });
    })
    .optional(),
  /** How to read the model's outputs as predictions. */
  outputs: z
    .strictObject({
      probabilities: z.string().min(1).optional(),
      label: z.string().min(1).optional(),
      classLabels: z.array(z.string()).min(2).optional(),
    })
    .optional(),
  lineage: z
    .strictObject({
      codeCommit: z.string().max(200).optional(),
      codeRepository: z.string().max(500).optional(),
      dataset: z.strictObject({ uri: z.string().min(1).max(2000), digest: z.string().max(200).optional() }).optional(),
      parameters: z.record(z.string(), scalar).optional(),
      metrics: z.record(z.string(), z.number()).optional(),
      /** The version this one retrains (`credit-risk:v3`), set by `slipway push --retrains`. */
      retrains: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}:v?[1-9][0-9]*$/, 'must be a version reference such as credit-risk:v3').optional(),
      /** The incident that asked for it (`slipway push --incident`); the push is recorded on its timeline. */
      incident: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be an incident id such as inc-1a2b3c4d').optional(),
    })
    .optional(),
  /** Dynamic batching: requests that arrive together run as one batch (first dimension dynamic only). */
  batching: z
    .strictObject({
      /** Most rows in one batch; a request with more rows is split into chunks of this size. */
      maxBatchSize: z.number().int().min(1).max(65536),
      /** Longest a request waits for others to join its batch. Default 1000 µs. */
      maxDelayMicros: z.number().int().min(0).max(10_000_000).default(1000),
      /** Batch sizes the model runs best at; a batch is sent as soon as it reaches one. */
      preferredBatchSizes: z.array(z.number().int().min(1)).default([]),
    })
    .superRefine((b, ctx) => {
      b.preferredBatchSizes.forEach((size, i) => {
        if (size > b.maxBatchSize) ctx.addIssue({ code: 'custom', path: ['preferredBatchSizes', i], message: `(${size}) must be ≤ batching.maxBatchSize (${b.maxBatchSize})` });
      });
    })
    .optional(),
  /** Concurrency and queueing per version. */
  serving: z
    .strictObject({
      /** Model executions (batches) running at once. Default 64. */
      maxConcurrency: z.number().int().min(1).max(1024).default(SERVING_DEFAULTS.maxConcurrency),
      /** Requests waiting beyond those running; more are refused with 429. Default 256. */
      maxQueue: z.number().int().min(0).max(1_000_000).default(SERVING_DEFAULTS.maxQueue),
      /** Longest a request may wait in the queue before it is refused with 503. Default 30000 ms. */
      queueTimeoutMs: z.number().int().min(1).max(3_600_000).default(SERVING_DEFAULTS.queueTimeoutMs),
    })
    .optional(),
  tags: z.record(z.string(), z.string()).optional(),
  /** Reference profile, drift, fairness and sampling of the prediction log. */
  monitoring: monitoringSchema.optional(),
  /** Alert rules shipped with the package (`pipeline` defaults to `name`); checked and applied at push by the server's alert service. */
  alerts: z.array(z.record(z.string(), alertRuleValue)).max(100).optional(),
}).superRefine((m, ctx) => {
  if (m.monitoring !== undefined) checkMonitoring(m.monitoring, m.tabular, m.outputs?.classLabels, ctx);
});

export type Manifest = z.infer<typeof manifestSchema>;
export type FeatureSpec = z.infer<typeof featureSchema>;
export type MonitoringSpec = z.infer<typeof monitoringSchema>;
export type ProtectedAttributeSpec = z.infer<typeof protectedAttributeSchema>;

/** Formats a zod issue path as `tabular.features[2].type`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function zodIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((i) => {
    const path = formatPath(i.path);
    return { path: prefix && path ? `${prefix}.${path}` : prefix || path, message: i.message };
  });
}

/** Validates an already-parsed manifest object; throws `InvalidPackageError` listing every problem. */
export function validateManifest(value: unknown): Manifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) throw new InvalidPackageError(zodIssues(result.error).map((i) => ({ ...i, path: `${MANIFEST_FILE}: ${i.path || '(root)'}` })));
  return result.data;
}

/** Parses `slipway.yaml` text; YAML syntax errors and schema problems are all reported. */
export function parseManifest(text: string): Manifest {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InvalidPackageError(doc.errors.map((e) => ({ path: MANIFEST_FILE, message: `YAML syntax: ${e.message}` })));
  }
  return validateManifest(doc.toJS() ?? {});
}
