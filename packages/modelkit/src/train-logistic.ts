/**
 * Binary logistic regression: full-batch gradient descent with L2 on standardized
 * columns, exported to ONNX as one Gemm + Softmax with the standardization folded into the
 * weights, so the served model takes raw feature values.
 */
import { type ClassifierExport, classifierHead } from './classifier-head.js';
import { buildOnnxModel } from './onnx-builder.js';

export interface LogisticOptions {
  learningRate: number;
  epochs: number;
  /** L2 penalty on the (standardized) weights; the intercept is not penalized. */
  l2: number;
}

export interface LogisticModel {
  /** Per-column mean and standard deviation used to standardize inputs. */
  mean: Float64Array;
  scale: Float64Array;
  /** Weights on standardized columns, and the intercept: log-odds of class 1. */
  weights: Float64Array;
  bias: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function standardization(x: ArrayLike<number>, n: number, width: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(width);
  const scale = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) mean[j] = (mean[j] ?? 0) + (x[i * width + j] ?? 0) / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) scale[j] = (scale[j] ?? 0) + ((x[i * width + j] ?? 0) - (mean[j] ?? 0)) ** 2 / n;
  }
  // A constant column carries no signal; scale 1 keeps it finite (its weight stays 0).
  for (let j = 0; j < width; j++) scale[j] = Math.sqrt(scale[j] ?? 0) || 1;
  return { mean, scale };
}

/** Fits on row-major `x` [n, width] and binary `labels` (1 = positive class). */
export function trainLogistic(x: ArrayLike<number>, labels: ArrayLike<number>, width: number, options: LogisticOptions): LogisticModel {
  const n = labels.length;
  const { mean, scale } = standardization(x, n, width);
  const z = new Float64Array(n * width);
  for (let i = 0; i < n * width; i++) z[i] = ((x[i] ?? 0) - (mean[i % width] ?? 0)) / (scale[i % width] ?? 1);
  const weights = new Float64Array(width);
  const gradient = new Float64Array(width);
  let bias = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    gradient.fill(0);
    let biasGradient = 0;
    for (let i = 0; i < n; i++) {
      let logit = bias;
      for (let j = 0; j < width; j++) logit += (weights[j] ?? 0) * (z[i * width + j] ?? 0);
      const error = sigmoid(logit) - (labels[i] ?? 0);
      biasGradient += error;
      for (let j = 0; j < width; j++) gradient[j] = (gradient[j] ?? 0) + error * (z[i * width + j] ?? 0);
    }
    for (let j = 0; j < width; j++) {
      weights[j] = (weights[j] ?? 0) - options.learningRate * ((gradient[j] ?? 0) / n + options.l2 * (weights[j] ?? 0));
    }
    bias -= (options.learningRate * biasGradient) / n;
  }
  return { mean, scale, weights, bias };
}

/** Class probabilities, row-major [n, 2]: P(class 0), P(class 1) per row of raw `x`. */
export function logisticProbabilities(model: LogisticModel, x: ArrayLike<number>): Float64Array {
  const width = model.weights.length;
  const n = x.length / width;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    let logit = model.bias;
    for (let j = 0; j < width; j++) {
      logit += ((model.weights[j] ?? 0) * ((x[i * width + j] ?? 0) - (model.mean[j] ?? 0))) / (model.scale[j] ?? 1);
    }
    const p = sigmoid(logit);
    out[i * 2] = 1 - p;
    out[i * 2 + 1] = p;
  }
  return out;
}

/** The same model on raw (unstandardized) columns: log-odds = bias + Σ weights·x. */
export function foldStandardization(model: LogisticModel): { weights: Float64Array; bias: number } {
  const weights = new Float64Array(model.weights.length);
  let bias = model.bias;
  model.weights.forEach((w, j) => {
    weights[j] = w / (model.scale[j] ?? 1);
    bias -= (w * (model.mean[j] ?? 0)) / (model.scale[j] ?? 1);
  });
  return { weights, bias };
}

/**
 * ONNX model: `input` FP32 [batch, width] → `probabilities` FP32 [batch, 2] and `label`
 * INT64 [batch]. Class 0's logit is fixed at 0, so Softmax yields exactly the logistic
 * probabilities.
 */
export function logisticToOnnx(model: LogisticModel, spec: ClassifierExport): Uint8Array {
  const width = model.weights.length;
  const folded = foldStandardization(model);
  const weights = new Float32Array(width * 2);
  folded.weights.forEach((w, j) => (weights[j * 2 + 1] = w));
  const head = classifierHead('logits', 2);
  return buildOnnxModel({
    name: spec.name,
    docString: spec.docString,
    inputs: [{ name: spec.input, datatype: 'FP32', shape: ['batch', width] }],
    outputs: head.outputs,
    initializers: [
      { name: 'weights', datatype: 'FP32', dims: [width, 2], values: weights },
      { name: 'bias', datatype: 'FP32', dims: [2], values: [0, folded.bias] },
    ],
    nodes: [{ op: 'Gemm', inputs: [spec.input, 'weights', 'bias'], outputs: ['logits'] }, ...head.nodes],
  });
}
