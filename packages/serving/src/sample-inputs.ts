/**
 * Inputs for a version's warm-up run, derived from its signature. onnxruntime allocates
 * its memory arenas and settles its kernels on a session's first run, so running once at
 * load keeps that cost off the first real request and makes the load's memory measurable.
 */
import { allocateTensorData, elementCount, type ModelSignature, type Tensor } from '@slipway/core';


/**
 * One tensor per input of `signature`: dynamic dimensions set to 1 (the smallest real
 * batch, so warm-up costs about one request), filled with zeros, `false` or empty strings.
 */
export function sampleInputs(signature: ModelSignature): Map<string, Tensor> {
  const inputs = new Map<string, Tensor>();
  for (const spec of signature.inputs) {
    const shape = spec.shape.map((d) => (d < 0 ? 1 : d));
    inputs.set(spec.name, { datatype: spec.datatype, shape, data: allocateTensorData(spec.datatype, elementCount(shape)) });
  }
  return inputs;
}
