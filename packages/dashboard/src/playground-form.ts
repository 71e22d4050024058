/**
 * The playground's form, generated from a version: one control per tabular feature
 * (number, checkbox, or a choice of categories), or a JSON box per model input for
 * pipelines without tabular features. Form values are strings; `runInputs` turns them
 * into the `inputs` of a run and reports every bad field at once, named.
 */
import type { FeatureSpec, TensorSpec, VersionRecord } from '@slipway/core';

export type PlaygroundField =
  | { kind: 'numeric'; name: string; description?: string }
  | { kind: 'boolean'; name: string; description?: string }
  | { kind: 'categorical'; name: string; options: string[]; description?: string }
  | { kind: 'tensor'; name: string; description: string; shape: number[] };

export type FormValues = Record<string, string>;

export interface FieldIssue {
  field: string;
  message: string;
}

const withDescription = (f: FeatureSpec) => (f.description === undefined ? {} : { description: f.description });

function featureField(f: FeatureSpec): PlaygroundField {
  switch (f.type) {
    case 'numeric':
      return { kind: 'numeric', name: f.name, ...withDescription(f) };
    case 'boolean':
      return { kind: 'boolean', name: f.name, ...withDescription(f) };
    case 'categorical':
      return { kind: 'categorical', name: f.name, options: f.categories ?? [], ...withDescription(f) };
  }
}

/** Dynamic dimensions (-1) become 1: one example. */
const exampleShape = (spec: TensorSpec) => spec.shape.map((d) => (d < 0 ? 1 : d));

export function playgroundFields(version: Pick<VersionRecord, 'manifest' | 'signature'>): PlaygroundField[] {
  const features = version.manifest.tabular?.features;
  if (features !== undefined) return features.map(featureField);
  return version.signature.inputs.map((spec) => ({
    kind: 'tensor',
    name: spec.name,
    shape: exampleShape(spec),
    description: `${spec.datatype} [${spec.shape.map((d, i) => (d < 0 ? (spec.symbolicDims?.[i] ?? '?') : d)).join(', ')}] as nested JSON arrays`,
  }));
}

function zeros(shape: readonly number[]): unknown {
  const [first, ...rest] = shape;
  if (first === undefined) return 0;
  return Array.from({ length: first }, () => zeros(rest));
}

export function initialValues(fields: readonly PlaygroundField[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    switch (f.kind) {
      case 'numeric':
        values[f.name] = '0';
        break;
      case 'boolean':
        values[f.name] = 'false';
        break;
      case 'categorical':
        values[f.name] = f.options[0] ?? '';
        break;
      case 'tensor':
        values[f.name] = JSON.stringify(zeros(f.shape));
        break;
    }
  }
  return values;
}

export type RunInputs = { ok: true; inputs: Record<string, unknown> } | { ok: false; issues: FieldIssue[] };

/** The run's `inputs`: one record for tabular pipelines, nested arrays per model input otherwise. */
export function runInputs(fields: readonly PlaygroundField[], values: FormValues): RunInputs {
  const inputs: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const f of fields) {
    const raw = (values[f.name] ?? '').trim();
    switch (f.kind) {
      case 'numeric': {
        const n = Number(raw);
        if (raw === '' || !Number.isFinite(n)) issues.push({ field: f.name, message: `${f.name} must be a number, e.g. 42 or 0.5` });
        else inputs[f.name] = n;
        break;
      }
      case 'boolean':
        inputs[f.name] = raw === 'true';
        break;
      case 'categorical':
        if (!f.options.includes(raw)) issues.push({ field: f.name, message: `${f.name} must be one of ${f.options.join(', ')}` });
        else inputs[f.name] = raw;
        break;
      case 'tensor':
        try {
          inputs[f.name] = JSON.parse(raw) as unknown;
        } catch {
          issues.push({ field: f.name, message: `${f.name} must be JSON arrays of numbers, e.g. ${JSON.stringify(zeros(f.shape))}` });
        }
        break;
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, inputs };
}
