/**
 * Turns one run into the rows the prediction log stores: named feature values and the
 * prediction per input row. Tabular pipelines are decoded back to their features (the
 * inverse of `encodeRecords`), so drift and fairness read `income` and `sex`, not
 * one-hot columns; other pipelines get a few summaries per input tensor and row.
 */
import { type FeatureSpec, type RunEvent, type Tensor, type VersionRecord, encodeTensor } from '@slipway/core';

export type FeatureValue = number | string | boolean | null;

export interface PredictionValue {
  /** The predicted class (argmax of the probabilities, or the model's label output). */
  label?: string;
  /** Probability of the positive class (`monitoring.positiveClass`, default the last) for binary classifiers; the top probability otherwise. */
  score?: number;
  /** A regression-like single numeric output. */
  value?: number;
}

export interface RunRow {
  row: number;
  features: Record<string, FeatureValue>;
  /** `null` when the run failed. */
  prediction: PredictionValue | null;
}

/** Elements as numbers, whatever the numeric datatype (FP16 bit patterns and 64-bit integers converted). */
function numbers(tensor: Tensor): ArrayLike<number> {
  switch (tensor.datatype) {
    case 'FP16':
    case 'INT64':
    case 'UINT64':
      return encodeTensor('', tensor).data as number[];
    case 'BYTES':
      return (tensor.data as string[]).map(Number);
    default:
      return tensor.data as ArrayLike<number>;
  }
}

/** Rows of a tensor (its first dimension; a scalar is one row) and elements per row. */
function rowsOf(tensor: Tensor): { rows: number; width: number } {
  if (tensor.shape.length === 0) return { rows: 1, width: 1 };
  const rows = tensor.shape[0] ?? 0;
  let width = 1;
  for (let i = 1; i < tensor.shape.length; i++) width *= tensor.shape[i] ?? 0;
  return { rows, width };
}

function finite(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/**
 * Decodes a tabular input tensor (shape [n, featureWidth]) into one record per row:
 * numeric → number, boolean → value ≠ 0, categorical → the category whose one-hot column
 * is largest (null when all are 0). Non-finite numbers become null.
 */
export function decodeRecords(features: readonly FeatureSpec[], tensor: Tensor): Record<string, FeatureValue>[] {
  const { rows, width } = rowsOf(tensor);
  const data = numbers(tensor);
  const out: Record<string, FeatureValue>[] = [];
  for (let r = 0; r < rows; r++) {
    const record: Record<string, FeatureValue> = {};
    let col = r * width;
    for (const f of features) {
      switch (f.type) {
        case 'numeric':
          record[f.name] = finite(data[col++]);
          break;
        case 'boolean': {
          const v = data[col++];
          record[f.name] = v === undefined || Number.isNaN(v) ? null : v !== 0;
          break;
        }
        case 'categorical': {
          const categories = f.categories ?? [];
          let best: string | null = null;
          let bestValue = 0;
          for (const c of categories) {
            const v = data[col++] ?? 0;
            if (v > bestValue) {
              best = c;
              bestValue = v;
            }
          }
          record[f.name] = best;
          break;
        }
      }
    }
    out.push(record);
  }
  return out;
}

/** Per row of each input: `<input>.mean/.min/.max` over the row's elements, or `<input>.length` (mean string length) for BYTES. */
function tensorSummaries(inputs: ReadonlyMap<string, Tensor>, rows: number): Record<string, FeatureValue>[] {
  const out: Record<string, FeatureValue>[] = Array.from({ length: rows }, () => ({}));
  for (const [name, tensor] of inputs) {
    const { rows: n, width } = rowsOf(tensor);
    if (tensor.datatype === 'BYTES') {
      const data = tensor.data as string[];
      for (let r = 0; r < Math.min(n, rows); r++) {
        let total = 0;
        for (let i = r * width; i < (r + 1) * width; i++) total += data[i]?.length ?? 0;
        (out[r] as Record<string, FeatureValue>)[`${name}.length`] = width === 0 ? null : total / width;
      }
      continue;
    }
    const data = numbers(tensor);
    for (let r = 0; r < Math.min(n, rows); r++) {
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = r * width; i < (r + 1) * width; i++) {
        const v = data[i] ?? NaN;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const row = out[r] as Record<string, FeatureValue>;
      row[`${name}.mean`] = width === 0 ? null : finite(sum / width);
      row[`${name}.min`] = width === 0 ? null : finite(min);
      row[`${name}.max`] = width === 0 ? null : finite(max);
    }
  }
  return out;
}

/** Reads each row's prediction from the outputs, as the manifest's `outputs` section says. */
export function decodePredictions(record: VersionRecord, outputs: ReadonlyMap<string, Tensor>, rows: number): PredictionValue[] {
  const spec = record.manifest.outputs ?? {};
  const out: PredictionValue[] = Array.from({ length: rows }, () => ({}));
  const probs = spec.probabilities === undefined ? undefined : outputs.get(spec.probabilities);
  if (probs !== undefined) {
    const { width } = rowsOf(probs);
    const p = numbers(probs);
    const labels = spec.classLabels ?? [];
    // Binary: the positive class is `monitoring.positiveClass`, else the last class label.
    const named = record.manifest.monitoring?.positiveClass === undefined ? -1 : labels.indexOf(record.manifest.monitoring.positiveClass);
    const positive = named >= 0 ? named : 1;
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < width; c++) if ((p[r * width + c] ?? -Infinity) > (p[r * width + best] ?? -Infinity)) best = c;
      const score = finite(width === 2 ? p[r * width + positive] : p[r * width + best]);
      out[r] = { label: labels[best] ?? String(best), ...(score === null ? {} : { score }) };
    }
    return out;
  }
  const label = spec.label === undefined ? undefined : outputs.get(spec.label);
  if (label !== undefined) {
    const { width } = rowsOf(label);
    const values = label.datatype === 'BYTES' ? (label.data as string[]) : numbers(label);
    for (let r = 0; r < rows; r++) {
      const v = values[r * width];
      if (v === undefined) continue;
      out[r] = { label: typeof v === 'string' ? v : (spec.classLabels?.[v] ?? String(v)) };
    }
    return out;
  }
  // No manifest guidance: the first output with one number per row is a regression value.
  for (const tensor of outputs.values()) {
    const { rows: n, width } = rowsOf(tensor);
    if (width !== 1 || n !== rows || tensor.datatype === 'BYTES') continue;
    const values = numbers(tensor);
    for (let r = 0; r < rows; r++) {
      const v = finite(values[r]);
      if (v !== null) out[r] = { value: v };
    }
    break;
  }
  return out;
}

// Several observers (the prediction log, the production windows) decode the same event:
// decoded once, shared. Entries go when the event does.
const decoded = new WeakMap<RunEvent, readonly RunRow[]>();

/**
 * One row per input row of the run: its features and its prediction (null when the run
 * failed). Decoded once per event; callers share the answer and must not change it.
 */
export function runRows(event: RunEvent): readonly RunRow[] {
  let rows = decoded.get(event);
  if (rows === undefined) decoded.set(event, (rows = decodeRunRows(event)));
  return rows;
}

function decodeRunRows(event: RunEvent): RunRow[] {
  const { record, inputs } = event;
  const tabular = record.manifest.tabular;
  let features: Record<string, FeatureValue>[];
  const tabularInput = tabular === undefined ? undefined : inputs.get(tabular.input ?? record.signature.inputs[0]?.name ?? '');
  if (tabular !== undefined && tabularInput !== undefined) {
    features = decodeRecords(tabular.features, tabularInput);
  } else {
    const first = inputs.values().next().value;
    features = tensorSummaries(inputs, first === undefined ? 0 : rowsOf(first).rows);
  }
  const predictions = event.outputs === undefined || event.error !== undefined ? undefined : decodePredictions(record, event.outputs, features.length);
  return features.map((f, row) => ({ row, features: f, prediction: predictions?.[row] ?? null }));
}
