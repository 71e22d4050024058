/**
 * The `sensor-mlp` example pipeline: a small neural network that classifies windows of
 * sensor readings, trained on synthetic signals, and its manifest. It shows a pipeline
 * called with a raw tensor rather than tabular records.
 */
import type { Manifest } from '@slipway/core';
import { LABEL_OUTPUT, PROBABILITIES_OUTPUT } from './classifier-head.js';
import { accuracy, logLoss } from './metrics.js';
import { generateSensorData, SENSOR_CLASSES, type SensorDataset, SIGNAL_LENGTH } from './sensor-data.js';
import { type MlpModel, mlpProbabilities, mlpToOnnx, trainMlp } from './train-mlp.js';

export const SENSOR_MLP_NAME = 'sensor-mlp';
/** The model's one input: FP32 [batch, 16] readings. */
export const SENSOR_MLP_INPUT = 'signal';

export const SENSOR_MLP_CONFIG = {
  seed: 7,
  /** The first `trainRows` generated windows train the model; the next `holdoutRows` score it. */
  trainRows: 1500,
  holdoutRows: 500,
  hidden: 32,
  epochs: 30,
  batchSize: 32,
  learningRate: 0.01,
};
export type SensorMlpConfig = typeof SENSOR_MLP_CONFIG;

export interface SensorMlpTraining {
  config: SensorMlpConfig;
  train: SensorDataset;
  holdout: SensorDataset;
  model: MlpModel;
  onnx: Uint8Array;
  /** On the holdout set, rounded to 4 decimals as recorded in the manifest. */
  metrics: { accuracy: number; log_loss: number };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Windows [start, end) of a dataset. */
function windows(data: SensorDataset, start: number, end: number): SensorDataset {
  return { signals: data.signals.slice(start * SIGNAL_LENGTH, end * SIGNAL_LENGTH), labels: data.labels.slice(start, end) };
}

export function trainSensorMlp(config: SensorMlpConfig = SENSOR_MLP_CONFIG): SensorMlpTraining {
  const all = generateSensorData(config.trainRows + config.holdoutRows, config.seed);
  const train = windows(all, 0, config.trainRows);
  const holdout = windows(all, config.trainRows, all.labels.length);
  const model = trainMlp(train.signals, train.labels, SIGNAL_LENGTH, SENSOR_CLASSES.length, config);
  const probabilities = mlpProbabilities(model, holdout.signals);
  const metrics = {
    accuracy: round4(accuracy(probabilities, holdout.labels, SENSOR_CLASSES.length)),
    log_loss: round4(logLoss(probabilities, holdout.labels, SENSOR_CLASSES.length)),
  };
  const onnx = mlpToOnnx(model, {
    name: SENSOR_MLP_NAME,
    input: SENSOR_MLP_INPUT,
    docString: 'Slipway example: MLP classifying 16-reading sensor windows as nominal, drift or spike (synthetic data).',
  });
  return { config, train, holdout, model, onnx, metrics };
}

/** The package's `slipway.yaml` contents; `datasetDigest` is that of `data/train.csv`. */
export function sensorMlpManifest(t: SensorMlpTraining, datasetDigest: string): Manifest {
  return {
    name: SENSOR_MLP_NAME,
    description: 'Example: classifies a window of 16 sensor readings as nominal, drift or spike, with a small neural network trained on synthetic signals.',
    runtime: 'onnx',
    model: 'model.onnx',
    outputs: { probabilities: PROBABILITIES_OUTPUT, label: LABEL_OUTPUT, classLabels: [...SENSOR_CLASSES] },
    lineage: {
      dataset: { uri: `examples/${SENSOR_MLP_NAME}/data/train.csv`, digest: datasetDigest },
      parameters: {
        algorithm: 'mlp',
        architecture: `${SIGNAL_LENGTH}-${t.config.hidden}-${SENSOR_CLASSES.length}`,
        optimizer: 'adam',
        seed: t.config.seed,
        learning_rate: t.config.learningRate,
        epochs: t.config.epochs,
        batch_size: t.config.batchSize,
        train_rows: t.config.trainRows,
      },
      metrics: t.metrics,
    },
    tags: { example: 'true', domain: 'iot', task: 'multiclass-classification' },
  };
}
