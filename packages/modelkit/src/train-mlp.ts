/**
 * A one-hidden-layer perceptron classifier (inputs → ReLU hidden layer → softmax), trained
 * with minibatch Adam on cross-entropy, and its ONNX export (Gemm, Relu, Gemm, Softmax).
 * Initialization and batch order come from a seeded generator, so training is repeatable.
 */
import { type ClassifierExport, classifierHead } from './classifier-head.js';
import { buildOnnxModel } from './onnx-builder.js';
import { Random } from './random.js';

export interface MlpOptions {
  hidden: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface MlpModel {
  inputs: number;
  hidden: number;
  classes: number;
  /** Row-major [inputs, hidden] and [hidden, classes]: y = x·w + b. */
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** Hidden activations and class probabilities for row `row` of `x`, written into the buffers. */
function forwardRow(m: MlpModel, x: ArrayLike<number>, row: number, hidden: Float64Array, probs: Float64Array): void {
  for (let h = 0; h < m.hidden; h++) {
    let s = m.b1[h] ?? 0;
    for (let i = 0; i < m.inputs; i++) s += (x[row * m.inputs + i] ?? 0) * (m.w1[i * m.hidden + h] ?? 0);
    hidden[h] = s > 0 ? s : 0;
  }
  let max = -Infinity;
  for (let c = 0; c < m.classes; c++) {
    let s = m.b2[c] ?? 0;
    for (let h = 0; h < m.hidden; h++) s += (hidden[h] ?? 0) * (m.w2[h * m.classes + c] ?? 0);
    probs[c] = s;
    if (s > max) max = s;
  }
  // Subtracting the max keeps exp from overflowing; softmax is unchanged by it.
  let sum = 0;
  for (let c = 0; c < m.classes; c++) {
    probs[c] = Math.exp((probs[c] ?? 0) - max);
    sum += probs[c] ?? 0;
  }
  for (let c = 0; c < m.classes; c++) probs[c] = (probs[c] ?? 0) / sum;
}

/** Class probabilities, row-major [n, classes], for row-major `x` [n, inputs]. */
export function mlpProbabilities(model: MlpModel, x: ArrayLike<number>): Float64Array {
  const n = x.length / model.inputs;
  const out = new Float64Array(n * model.classes);
  const hidden = new Float64Array(model.hidden);
  for (let r = 0; r < n; r++) forwardRow(model, x, r, hidden, out.subarray(r * model.classes, (r + 1) * model.classes));
  return out;
}

/** Adam state for one parameter array, updated in place. */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private step = 0;
  constructor(
    private readonly params: Float64Array,
    private readonly learningRate: number,
  ) {
    this.m = new Float64Array(params.length);
    this.v = new Float64Array(params.length);
  }
  apply(gradient: Float64Array): void {
    const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
    this.step++;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    for (let i = 0; i < this.params.length; i++) {
      const g = gradient[i] ?? 0;
      const m = beta1 * (this.m[i] ?? 0) + (1 - beta1) * g;
      const v = beta2 * (this.v[i] ?? 0) + (1 - beta2) * g * g;
      this.m[i] = m;
      this.v[i] = v;
      this.params[i] = (this.params[i] ?? 0) - (this.learningRate * (m / correction1)) / (Math.sqrt(v / correction2) + epsilon);
    }
  }
}

/** Fits on row-major `x` [n, inputs] and class indices `labels` in [0, classes). */
export function trainMlp(x: ArrayLike<number>, labels: ArrayLike<number>, inputs: number, classes: number, options: MlpOptions): MlpModel {
  const rng = new Random(options.seed);
  const { hidden } = options;
  // He initialization for the ReLU layer, Glorot-style for the softmax layer.
  const w1 = Float64Array.from({ length: inputs * hidden }, () => rng.normal(0, Math.sqrt(2 / inputs)));
  const w2 = Float64Array.from({ length: hidden * classes }, () => rng.normal(0, Math.sqrt(1 / hidden)));
  const model: MlpModel = { inputs, hidden, classes, w1, b1: new Float64Array(hidden), w2, b2: new Float64Array(classes) };
  const parts = [model.w1, model.b1, model.w2, model.b2];
  const gradients = parts.map((p) => new Float64Array(p.length));
  const optimizers = parts.map((p) => new Adam(p, options.learningRate));
  const [gw1, gb1, gw2, gb2] = gradients as [Float64Array, Float64Array, Float64Array, Float64Array];
  const h = new Float64Array(hidden);
  const p = new Float64Array(classes);
  const dh = new Float64Array(hidden);
  const order = Array.from({ length: labels.length }, (_, i) => i);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      for (const g of gradients) g.fill(0);
      for (const row of batch) {
        forwardRow(model, x, row, h, p);
        // d(mean cross-entropy)/d(logits) = (p − onehot(label)) / batch size.
        for (let c = 0; c < classes; c++) p[c] = ((p[c] ?? 0) - (c === labels[row] ? 1 : 0)) / batch.length;
        dh.fill(0);
        for (let c = 0; c < classes; c++) {
          const d = p[c] ?? 0;
          gb2[c] = (gb2[c] ?? 0) + d;
          for (let j = 0; j < hidden; j++) {
            gw2[j * classes + c] = (gw2[j * classes + c] ?? 0) + (h[j] ?? 0) * d;
            dh[j] = (dh[j] ?? 0) + (w2[j * classes + c] ?? 0) * d;
          }
        }
        for (let j = 0; j < hidden; j++) {
          // ReLU passes gradient only where the unit was active.
          const d = (h[j] ?? 0) > 0 ? (dh[j] ?? 0) : 0;
          if (d === 0) continue;
          gb1[j] = (gb1[j] ?? 0) + d;
          for (let i = 0; i < inputs; i++) gw1[i * hidden + j] = (gw1[i * hidden + j] ?? 0) + (x[row * inputs + i] ?? 0) * d;
        }
      }
      optimizers.forEach((o, k) => o.apply(gradients[k] as Float64Array));
    }
  }
  return model;
}

/** ONNX model: `input` FP32 [batch, inputs] → `probabilities` FP32 [batch, classes] and `label` INT64 [batch]. */
export function mlpToOnnx(model: MlpModel, spec: ClassifierExport): Uint8Array {
  const head = classifierHead('logits', model.classes);
  return buildOnnxModel({
    name: spec.name,
    docString: spec.docString,
    inputs: [{ name: spec.input, datatype: 'FP32', shape: ['batch', model.inputs] }],
    outputs: head.outputs,
    initializers: [
      { name: 'w1', datatype: 'FP32', dims: [model.inputs, model.hidden], values: model.w1 },
      { name: 'b1', datatype: 'FP32', dims: [model.hidden], values: model.b1 },
      { name: 'w2', datatype: 'FP32', dims: [model.hidden, model.classes], values: model.w2 },
      { name: 'b2', datatype: 'FP32', dims: [model.classes], values: model.b2 },
    ],
    nodes: [
      { op: 'Gemm', inputs: [spec.input, 'w1', 'b1'], outputs: ['hidden_linear'] },
      { op: 'Relu', inputs: ['hidden_linear'], outputs: ['hidden'] },
      { op: 'Gemm', inputs: ['hidden', 'w2', 'b2'], outputs: ['logits'] },
      ...head.nodes,
    ],
  });
}
