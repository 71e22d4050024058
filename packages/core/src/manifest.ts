/**
 * The package manifest, `slipway.yaml`: what a data scientist writes next to the model
 * file. Parsing reports every problem at once, each naming its field.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { type FieldIssue, InvalidPackageError } from './errors.js';

export const MANIFEST_FILE = 'slipway.yaml';

/** Serving limits a version gets when its manifest sets none. */
export const SERVING_DEFAULTS = Object.freeze({ maxConcurrency: 64, maxQueue: 256, queueTimeoutMs: 30_000 });

/** Pipeline names: lowercase, digits, `-`, `_`, `.`; 1–63 characters, starting alphanumeric. */
export const PIPELINE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
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
});

export type Manifest = z.infer<typeof manifestSchema>;
export type FeatureSpec = z.infer<typeof featureSchema>;

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
