/**
 * Measures what the fairness gate judges, at push: runs the pushed model on the package's
 * evaluation set and computes the disparate impact of each declared protected attribute.
 * A problem (no evaluation set, a missing column, a manifest without class labels) is
 * recorded on the measurement, naming the fix, so the gate can report it; it never
 * refuses the push itself.
 */
import {
  type FairnessMeasurement,
  type FairnessRule,
  type Manifest,
  type ModelRuntime,
  type ProtectedAttribute,
  type Tensor,
  decodeClassPredictions,
  describePrivileged,
  disparateImpact,
  encodeRecords,
  fairnessAttributes,
  isSlipwayError,
  parseCsvRecords,
} from '@slipway/core';
import type { PackageFiles } from './package-reader.js';

/** Most evaluation rows run at push; the rest are ignored (and the cap is named in the measurement's source). */
export const MAX_EVALUATION_ROWS = 20_000;

export interface MeasureInput {
  files: PackageFiles;
  manifest: Manifest;
  model: Uint8Array;
  runtime: ModelRuntime;
  rules: readonly FairnessRule[];
}

export async function measureFairness({ files, manifest, model, runtime, rules }: MeasureInput): Promise<FairnessMeasurement[]> {
  const out: FairnessMeasurement[] = [];
  const decisionsBySet = new Map<string, Promise<{ rows: Record<string, string>[]; decisions: string[] } | string>>();
  for (const rule of rules) {
    let pending = decisionsBySet.get(rule.evaluationSet);
    if (pending === undefined) {
      pending = decide(files, manifest, model, runtime, rule.evaluationSet);
      decisionsBySet.set(rule.evaluationSet, pending);
    }
    const decided = await pending;
    for (const attribute of fairnessAttributes(rule, manifest.monitoring?.protectedAttributes ?? [])) {
      const base = { attribute: attribute.name, evaluationSet: rule.evaluationSet, favorableClass: rule.favorableClass, privileged: attribute.privileged };
      if (typeof decided === 'string') {
        out.push({ ...base, disparateImpact: null, groups: [], error: decided });
        continue;
      }
      const { rows, decisions } = decided;
      if (rows.length > 0 && !(attribute.name in (rows[0] ?? {}))) {
        out.push({ ...base, disparateImpact: null, groups: [], error: `${rule.evaluationSet} has no column "${attribute.name}"; add the protected attribute's column to the evaluation set` });
        continue;
      }
      const labels = manifest.outputs?.classLabels ?? [];
      if (!labels.includes(rule.favorableClass)) {
        out.push({ ...base, disparateImpact: null, groups: [], error: `favorableClass "${rule.favorableClass}" is not one of the manifest's outputs.classLabels (${labels.join(', ')})` });
        continue;
      }
      const { groups, privileged } = groupsOf(attribute, rows);
      out.push({ ...base, ...disparateImpact({ groups, decisions, favorableClass: rule.favorableClass, privileged }) });
    }
  }
  return out;
}

/** Each row's group: its category, or for a numeric range whether it falls inside (`age ≥ 25`) or not. */
function groupsOf(attribute: ProtectedAttribute, rows: readonly Record<string, string>[]): { groups: string[]; privileged: string[] } {
  const p = attribute.privileged;
  if (Array.isArray(p)) return { groups: rows.map((r) => r[attribute.name] ?? ''), privileged: p };
  const inside = `${attribute.name} ${describePrivileged(p)}`;
  const outside = `${attribute.name} otherwise`;
  const groups = rows.map((r) => {
    const text = r[attribute.name];
    const x = text === undefined || text === '' ? Number.NaN : Number(text);
    if (Number.isNaN(x)) return '(missing)';
    return (p.min === undefined || x >= p.min) && (p.max === undefined || x < p.max) ? inside : outside;
  });
  return { groups, privileged: [inside] };
}

/** The model's predicted class per evaluation row, or why it cannot be had. */
async function decide(files: PackageFiles, manifest: Manifest, model: Uint8Array, runtime: ModelRuntime, path: string): Promise<{ rows: Record<string, string>[]; decisions: string[] } | string> {
  const bytes = files.get(path);
  if (bytes === undefined) return `the package has no evaluation set at ${path}; add a labelled CSV there (or set rules.fairness.evaluationSet)`;
  const { tabular, outputs } = manifest;
  if (tabular === undefined || outputs?.probabilities === undefined || outputs.classLabels === undefined) {
    return 'fairness is measured for tabular classifiers: the manifest needs tabular.features, outputs.probabilities and outputs.classLabels';
  }
  const rows = parseCsvRecords(Buffer.from(bytes).toString('utf8')).slice(0, MAX_EVALUATION_ROWS);
  if (rows.length === 0) return `${path} has no rows`;
  const records = rows.map((row) =>
    Object.fromEntries(
      tabular.features.map((f): [string, unknown] => {
        const text = row[f.name];
        if (f.type === 'numeric') return [f.name, text === undefined || text === '' ? undefined : Number(text)];
        if (f.type === 'boolean') return [f.name, text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text];
        return [f.name, text];
      }),
    ),
  );
  let tensor: Tensor;
  try {
    tensor = encodeRecords(tabular.features, records, path);
  } catch (error) {
    if (isSlipwayError(error)) return `${path} does not match the manifest's features: ${error.message}`;
    throw error;
  }
  const instance = await runtime.load(model);
  try {
    const result = await instance.infer(new Map([[tabular.input ?? instance.metadata().inputs[0]?.name ?? 'features', tensor]]), [outputs.probabilities]);
    const probabilities = result.get(outputs.probabilities);
    if (probabilities === undefined) return `the model did not return its "${outputs.probabilities}" output`;
    return { rows, decisions: decodeClassPredictions(probabilities, outputs.classLabels).map((p) => p.label) };
  } catch (error) {
    if (isSlipwayError(error)) return `running the model on ${path} failed: ${error.message}`;
    throw error;
  } finally {
    await instance.unload();
  }
}
