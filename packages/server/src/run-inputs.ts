/**
 * Turns the friendly inputs of `POST /v1/runs` into model tensors, and model outputs into
 * nested arrays. Tabular pipelines take one record or a list of records; others take
 * each model input by name as nested arrays (shape from the nesting, datatype from the
 * signature) or as `{shape, datatype?, data}`.
 */
import {
  type FieldIssue,
  InvalidInputError,
  type Tensor,
  type TensorSpec,
  type VersionRecord,
  decodeTensor,
  encodeRecords,
  encodeTensor,
} from '@slipway/core';

/** Shape of a rectangular nested array, or an issue naming where it is ragged. */
function nestedShape(value: unknown, path: string): number[] | FieldIssue {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const check = (v: unknown, depth: number, at: string): FieldIssue | undefined => {
    if (depth === shape.length) return Array.isArray(v) ? { path: at, message: 'is nested deeper than its siblings' } : undefined;
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      return { path: at, message: `must be an array of ${shape[depth]} elements, like its siblings (ragged arrays have no shape)` };
    }
    for (let i = 0; i < v.length; i++) {
      const issue = check(v[i], depth + 1, `${at}[${i}]`);
      if (issue) return issue;
    }
    return undefined;
  };
  return check(value, 0, path) ?? shape;
}

function namedTensor(value: unknown, spec: TensorSpec, path: string): Tensor {
  if (Array.isArray(value)) {
    const shape = nestedShape(value, path);
    if (!Array.isArray(shape)) throw new InvalidInputError([shape]);
    return decodeTensor({ name: spec.name, datatype: spec.datatype, shape, data: value }, path).tensor;
  }
  if (typeof value === 'object' && value !== null) {
    return decodeTensor({ name: spec.name, datatype: spec.datatype, ...value }, path).tensor;
  }
  throw new InvalidInputError([{ path, message: `must be a nested array or {shape, datatype, data} for input "${spec.name}" (${spec.datatype})` }]);
}

export function runInputsToTensors(record: VersionRecord, inputs: unknown): Map<string, Tensor> {
  const { tabular } = record.manifest;
  const specs = record.signature.inputs;
  if (tabular) {
    const records = Array.isArray(inputs) ? inputs : [inputs];
    if (records.length === 0) throw new InvalidInputError([{ path: 'inputs', message: 'must hold at least one record' }]);
    const name = tabular.input ?? specs[0]?.name ?? '';
    return new Map([[name, encodeRecords(tabular.features, records)]]);
  }
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new InvalidInputError([{ path: 'inputs', message: `must be an object mapping each model input (${specs.map((s) => s.name).join(', ')}) to its data` }]);
  }
  const given = inputs as Record<string, unknown>;
  const issues: FieldIssue[] = Object.keys(given)
    .filter((k) => !specs.some((s) => s.name === k))
    .map((k) => ({ path: `inputs.${k}`, message: `is not a model input; the inputs are ${specs.map((s) => s.name).join(', ')}` }));
  for (const s of specs) if (!(s.name in given)) issues.push({ path: `inputs.${s.name}`, message: `is missing (${s.datatype} [${s.shape.join(', ')}])` });
  if (issues.length > 0) throw new InvalidInputError(issues);
  return new Map(specs.map((s) => [s.name, namedTensor(given[s.name], s, `inputs.${s.name}`)]));
}

/** Row-major flat data → nested arrays following `shape`. */
export function toNested(tensor: Tensor): unknown {
  const flat = encodeTensor('', tensor).data;
  const build = (offset: number, depth: number): unknown => {
    if (depth === tensor.shape.length) return flat[offset];
    const size = tensor.shape[depth] ?? 0;
    const stride = tensor.shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: size }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0);
}
