/**
 * The output end shared by the exported classifiers: logits → `probabilities` (Softmax) and
 * `label` (ArgMax over them, INT64). Serving reads these two names from the manifest's
 * `outputs`, so every example model spells them the same way.
 */
import type { NodeSpec, ValueInfo } from './onnx-builder.js';

export const PROBABILITIES_OUTPUT = 'probabilities';
export const LABEL_OUTPUT = 'label';

/** What a classifier's ONNX export needs to know besides its weights. */
export interface ClassifierExport {
  /** Graph name. */
  name: string;
  /** Name of the one FP32 [batch, width] input. */
  input: string;
  docString?: string;
}

/** Nodes and graph outputs turning `logits` [batch, classes] into the two outputs. */
export function classifierHead(logits: string, classes: number): { nodes: NodeSpec[]; outputs: ValueInfo[] } {
  return {
    nodes: [
      { op: 'Softmax', inputs: [logits], outputs: [PROBABILITIES_OUTPUT], attributes: { axis: 1 } },
      { op: 'ArgMax', inputs: [PROBABILITIES_OUTPUT], outputs: [LABEL_OUTPUT], attributes: { axis: 1, keepdims: 0 } },
    ],
    outputs: [
      { name: PROBABILITIES_OUTPUT, datatype: 'FP32', shape: ['batch', classes] },
      { name: LABEL_OUTPUT, datatype: 'INT64', shape: ['batch'] },
    ],
  };
}
