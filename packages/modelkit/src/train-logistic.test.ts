import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CREDIT_RISK_INPUT, creditMatrix, trainCreditRisk } from './credit-risk-example.js';
import { argmaxRows } from './metrics.js';
import { Random } from './random.js';
import { foldStandardization, logisticProbabilities, trainLogistic } from './train-logistic.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('trainLogistic', () => {
  it('recovers the weights of a known logistic model, on the raw scale', () => {
    const rng = new Random(1);
    const n = 4000;
    const x = new Float64Array(n * 2);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      // Columns on very different scales, so standardization has to be undone correctly.
      x[i * 2] = rng.normal(100, 20);
      x[i * 2 + 1] = rng.normal(0, 0.5);
      labels[i] = rng.bernoulli(sigmoid(-5 + 0.05 * (x[i * 2] ?? 0) + 2 * (x[i * 2 + 1] ?? 0)));
    }
    const raw = foldStandardization(trainLogistic(x, labels, 2, { learningRate: 1, epochs: 1000, l2: 0 }));
    expect(raw.weights[0]).toBeCloseTo(0.05, 2);
    expect(raw.weights[1]).toBeGreaterThan(1.7);
    expect(raw.weights[1]).toBeLessThan(2.3);
    expect(raw.bias).toBeGreaterThan(-6);
    expect(raw.bias).toBeLessThan(-4);
  });
});

describe('credit-risk model', () => {
  const t = trainCreditRisk();

  it('learns to rank defaulters: held-out AUC well above chance', () => {
    expect(t.metrics.auc).toBeGreaterThan(0.75);
    const baseRate = t.holdout.labels.reduce((s, l) => s + l, 0) / t.holdout.labels.length;
    const baseLogLoss = -(baseRate * Math.log(baseRate) + (1 - baseRate) * Math.log(1 - baseRate));
    expect(t.metrics.log_loss).toBeLessThan(baseLogLoss);
  });

  it('exports an ONNX model that computes the same probabilities and labels', async () => {
    const session = await InferenceSession.create(t.onnx);
    expect(session.inputNames).toEqual([CREDIT_RISK_INPUT]);
    expect(session.outputNames).toEqual(['probabilities', 'label']);
    const x = creditMatrix(t.holdout);
    const width = x.length / t.holdout.labels.length;
    const expected = logisticProbabilities(t.model, x);
    // Any batch size works: the batch dimension is symbolic.
    for (const rows of [1, t.holdout.labels.length]) {
      const out = await session.run({ [CREDIT_RISK_INPUT]: new Tensor('float32', x.subarray(0, rows * width), [rows, width]) });
      expect(out.probabilities?.dims).toEqual([rows, 2]);
      const probs = out.probabilities?.data as Float32Array;
      let maxDiff = 0;
      for (let i = 0; i < probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs((probs[i] ?? 0) - (expected[i] ?? 0)));
      expect(maxDiff).toBeLessThan(1e-5);
      expect(out.label?.type).toBe('int64');
      expect(Array.from(out.label?.data as BigInt64Array, Number)).toEqual(Array.from(argmaxRows(probs, 2)));
    }
    await session.release();
  });
});
