import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { argmaxRows } from './metrics.js';
import { SENSOR_CLASSES, SIGNAL_LENGTH } from './sensor-data.js';
import { SENSOR_MLP_INPUT, trainSensorMlp } from './sensor-mlp-example.js';
import { mlpProbabilities, trainMlp } from './train-mlp.js';

describe('trainMlp', () => {
  it('is a pure function of its data and seed', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i));
    const labels = Uint8Array.from({ length: 10 }, (_, i) => i % 2);
    const options = { hidden: 4, epochs: 3, batchSize: 4, learningRate: 0.01, seed: 3 };
    expect(trainMlp(x, labels, 4, 2, options)).toEqual(trainMlp(x, labels, 4, 2, options));
    expect(trainMlp(x, labels, 4, 2, { ...options, seed: 4 })).not.toEqual(trainMlp(x, labels, 4, 2, options));
  });
});

describe('sensor-mlp model', () => {
  const t = trainSensorMlp();

  it('classifies held-out windows accurately', () => {
    expect(t.metrics.accuracy).toBeGreaterThan(0.9);
    expect(t.metrics.log_loss).toBeLessThan(0.3);
  });

  it('exports an ONNX model that computes the same probabilities and labels', async () => {
    const session = await InferenceSession.create(t.onnx);
    expect(session.inputNames).toEqual([SENSOR_MLP_INPUT]);
    expect(session.outputNames).toEqual(['probabilities', 'label']);
    const k = SENSOR_CLASSES.length;
    for (const rows of [1, t.holdout.labels.length]) {
      const x = Float32Array.from(t.holdout.signals.subarray(0, rows * SIGNAL_LENGTH));
      const expected = mlpProbabilities(t.model, x);
      const out = await session.run({ [SENSOR_MLP_INPUT]: new Tensor('float32', x, [rows, SIGNAL_LENGTH]) });
      expect(out.probabilities?.dims).toEqual([rows, k]);
      const probs = out.probabilities?.data as Float32Array;
      let maxDiff = 0;
      for (let i = 0; i < probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs((probs[i] ?? 0) - (expected[i] ?? 0)));
      expect(maxDiff).toBeLessThan(1e-5);
      expect(Array.from(out.label?.data as BigInt64Array, Number)).toEqual(Array.from(argmaxRows(probs, k)));
    }
    await session.release();
  });
});
