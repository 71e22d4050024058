/**
 * Checks that a manifest fits the model it ships with: the tabular features fill the
 * model's only input, and the declared outputs exist. Pure: a function of the manifest
 * and the signature, so it is tested as a table.
 */
import { type FieldIssue, type Manifest, type ModelSignature, featureWidth, MANIFEST_FILE } from '@slipway/core';

const at = (field: string) => `${MANIFEST_FILE}: ${field}`;

export function checkManifestAgainstSignature(manifest: Manifest, signature: ModelSignature): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const inputs = signature.inputs.map((i) => i.name);
  const outputs = new Map(signature.outputs.map((o) => [o.name, o]));
  if (manifest.tabular) {
    const name = manifest.tabular.input ?? (inputs.length === 1 ? inputs[0] : undefined);
    const spec = signature.inputs.find((i) => i.name === name);
    if (spec === undefined) {
      issues.push({
        path: at('tabular.input'),
        message: name === undefined ? `must name the model input that receives the features; the model's inputs are ${inputs.join(', ')}` : `"${name}" is not a model input; the model's inputs are ${inputs.join(', ')}`,
      });
    } else {
      const width = featureWidth(manifest.tabular.features);
      const last = spec.shape[spec.shape.length - 1];
      if (inputs.length !== 1) issues.push({ path: at('tabular'), message: `features fill one input, but the model has ${inputs.length} inputs (${inputs.join(', ')})` });
      if (spec.datatype !== 'FP32') issues.push({ path: at('tabular.input'), message: `model input "${spec.name}" is ${spec.datatype}; tabular features need an FP32 input` });
      if (spec.shape.length !== 2) issues.push({ path: at('tabular.input'), message: `model input "${spec.name}" has shape [${spec.shape.join(', ')}]; tabular features need a 2-D [batch, features] input` });
      else if (last !== undefined && last >= 0 && last !== width) {
        issues.push({
          path: at('tabular.features'),
          message: `expand to ${width} columns (categoricals one-hot) but model input "${spec.name}" has ${last}; declare the features in the model's column order`,
        });
      }
    }
  }
  const declared = manifest.outputs;
  for (const key of ['probabilities', 'label'] as const) {
    const name = declared?.[key];
    if (name !== undefined && !outputs.has(name)) {
      issues.push({ path: at(`outputs.${key}`), message: `"${name}" is not a model output; the model's outputs are ${[...outputs.keys()].join(', ')}` });
    }
  }
  const probs = declared?.probabilities === undefined ? undefined : outputs.get(declared.probabilities);
  if (declared?.classLabels && probs) {
    const k = probs.shape[probs.shape.length - 1];
    if (k !== undefined && k >= 0 && k !== declared.classLabels.length) {
      issues.push({ path: at('outputs.classLabels'), message: `lists ${declared.classLabels.length} classes but output "${probs.name}" has ${k}` });
    }
  }
  if (declared?.classLabels && !probs) {
    issues.push({ path: at('outputs.probabilities'), message: 'is required with classLabels: name the output holding class probabilities' });
  }
  if (manifest.batching) {
    const fixed = [...signature.inputs, ...signature.outputs].filter((spec) => !(spec.shape.length > 0 && (spec.shape[0] ?? 0) < 0));
    if (fixed.length > 0) {
      issues.push({
        path: at('batching'),
        message: `needs a dynamic first (batch) dimension on every input and output, but ${fixed.map((s) => `"${s.name}" is [${s.shape.join(', ')}]`).join(', ')}; export the model with a dynamic batch axis or remove batching`,
      });
    }
  }
  return issues;
}
