/**
 * Tabular features ↔ tensors. A manifest's `tabular.features` say how named fields of a
 * record become columns of one 2-D FP32 model input: numeric and boolean fields take one
 * column, categorical fields one column per category (one-hot, in declared order).
 */
import type { Tensor } from './datatypes.js';
import { type FieldIssue, InvalidInputError } from './errors.js';
import type { FeatureSpec } from './manifest.js';

/** Number of model-input columns the features expand to. */
export function featureWidth(features: readonly FeatureSpec[]): number {
  let width = 0;
  for (const f of features) width += f.type === 'categorical' ? (f.categories?.length ?? 0) : 1;
  return width;
}

function describe(f: FeatureSpec): string {
  switch (f.type) {
    case 'numeric':
      return 'a finite number';
    case 'boolean':
      return 'true or false';
    case 'categorical':
      return `one of ${(f.categories ?? []).map((c) => JSON.stringify(c)).join(', ')}`;
  }
}

/**
 * Encodes records into an FP32 tensor of shape [records.length, featureWidth]. Every
 * problem in every record is reported at once, named like `inputs[3].income`.
 */
export function encodeRecords(features: readonly FeatureSpec[], records: readonly unknown[], path = 'inputs'): Tensor {
  const width = featureWidth(features);
  const data = new Float32Array(records.length * width);
  const issues: FieldIssue[] = [];
  const known = new Set(features.map((f) => f.name));
  records.forEach((record, r) => {
    const at = `${path}[${r}]`;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      issues.push({ path: at, message: `must be an object with fields ${[...known].join(', ')}` });
      return;
    }
    const row = record as Record<string, unknown>;
    for (const key of Object.keys(row)) {
      if (!known.has(key)) issues.push({ path: `${at}.${key}`, message: `is not a feature of this pipeline; its features are ${[...known].join(', ')}` });
    }
    let col = r * width;
    for (const f of features) {
      const v = row[f.name];
      if (f.type === 'numeric' && typeof v === 'number' && Number.isFinite(v)) data[col++] = v;
      else if (f.type === 'boolean' && typeof v === 'boolean') data[col++] = v ? 1 : 0;
      else if (f.type === 'categorical' && typeof v === 'string' && f.categories?.includes(v)) {
        for (const c of f.categories) data[col++] = c === v ? 1 : 0;
      } else {
        issues.push({ path: `${at}.${f.name}`, message: `${v === undefined ? 'is missing' : `is ${JSON.stringify(v)}`}; expected ${describe(f)}` });
        col += f.type === 'categorical' ? (f.categories?.length ?? 0) : 1;
      }
    }
  });
  if (issues.length > 0) throw new InvalidInputError(issues.slice(0, 50));
  return { datatype: 'FP32', shape: [records.length, width], data };
}

export interface ClassPrediction {
  label: string;
  probabilities: Record<string, number>;
}

/**
 * Reads class predictions from a probabilities tensor of shape [n, classes]: the label is
 * the most probable class.
 */
export function decodeClassPredictions(probabilities: Tensor, classLabels: readonly string[]): ClassPrediction[] {
  const [n = 0, k = 0] = probabilities.shape;
  const p = probabilities.data as Float32Array;
  const out: ClassPrediction[] = [];
  for (let r = 0; r < n; r++) {
    const probs: Record<string, number> = {};
    let best = 0;
    for (let c = 0; c < k; c++) {
      probs[classLabels[c] ?? String(c)] = p[r * k + c] ?? 0;
      if ((p[r * k + c] ?? 0) > (p[r * k + best] ?? 0)) best = c;
    }
    out.push({ label: classLabels[best] ?? String(best), probabilities: probs });
  }
  return out;
}
