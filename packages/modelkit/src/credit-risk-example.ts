/**
 * The `credit-risk` example pipeline: synthetic applicants, a logistic regression over all
 * their columns (protected attributes included, on purpose — see the README), and its
 * manifest.
 */
import { encodeRecords, featureWidth, type Manifest } from '@slipway/core';
import { LABEL_OUTPUT, PROBABILITIES_OUTPUT } from './classifier-head.js';
import { CREDIT_CLASSES, CREDIT_FEATURES, type CreditDataset, generateCreditData } from './credit-data.js';
import { accuracy, logLoss, rocAuc } from './metrics.js';
import { type LogisticModel, logisticProbabilities, logisticToOnnx, trainLogistic } from './train-logistic.js';

export const CREDIT_RISK_NAME = 'credit-risk';
/** The model input the tabular features are packed into. */
export const CREDIT_RISK_INPUT = 'features';

export const CREDIT_RISK_CONFIG = {
  seed: 42,
  /** The first `trainRows` generated applicants train the model; the next `holdoutRows` score it. */
  trainRows: 4000,
  holdoutRows: 1000,
  learningRate: 0.5,
  epochs: 500,
  l2: 0.001,
};
export type CreditRiskConfig = typeof CREDIT_RISK_CONFIG;

export interface CreditRiskTraining {
  config: CreditRiskConfig;
  train: CreditDataset;
  holdout: CreditDataset;
  model: LogisticModel;
  onnx: Uint8Array;
  /** On the holdout set, rounded to 4 decimals as recorded in the manifest. */
  metrics: { accuracy: number; auc: number; log_loss: number };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Rows [start, end) of a dataset. */
function rows(data: CreditDataset, start: number, end: number): CreditDataset {
  return { records: data.records.slice(start, end), labels: data.labels.slice(start, end) };
}

/** The model input for `data`: features encoded exactly as serving will encode requests. */
export function creditMatrix(data: CreditDataset): Float32Array {
  return encodeRecords(CREDIT_FEATURES, data.records).data as Float32Array;
}

export function trainCreditRisk(config: CreditRiskConfig = CREDIT_RISK_CONFIG): CreditRiskTraining {
  const all = generateCreditData(config.trainRows + config.holdoutRows, config.seed);
  const train = rows(all, 0, config.trainRows);
  const holdout = rows(all, config.trainRows, all.records.length);
  const model = trainLogistic(creditMatrix(train), train.labels, featureWidth(CREDIT_FEATURES), config);
  const probabilities = logisticProbabilities(model, creditMatrix(holdout));
  const metrics = {
    accuracy: round4(accuracy(probabilities, holdout.labels, 2)),
    auc: round4(rocAuc(probabilities.filter((_, i) => i % 2 === 1), holdout.labels)),
    log_loss: round4(logLoss(probabilities, holdout.labels, 2)),
  };
  const onnx = logisticToOnnx(model, {
    name: CREDIT_RISK_NAME,
    input: CREDIT_RISK_INPUT,
    docString: 'Slipway example: logistic regression for probability of loan default (synthetic data).',
  });
  return { config, train, holdout, model, onnx, metrics };
}

/** The package's `slipway.yaml` contents; `datasetDigest` is that of `data/train.csv`. */
export function creditRiskManifest(t: CreditRiskTraining, datasetDigest: string): Manifest {
  return {
    name: CREDIT_RISK_NAME,
    description:
      'Example: probability that a loan applicant defaults, from a logistic regression on synthetic data. ' +
      'Its features include the protected attributes age, sex and marital_status, which fair-lending rules bar from credit decisions.',
    runtime: 'onnx',
    model: 'model.onnx',
    tabular: { input: CREDIT_RISK_INPUT, features: CREDIT_FEATURES },
    outputs: { probabilities: PROBABILITIES_OUTPUT, label: LABEL_OUTPUT, classLabels: [...CREDIT_CLASSES] },
    lineage: {
      dataset: { uri: `examples/${CREDIT_RISK_NAME}/data/train.csv`, digest: datasetDigest },
      parameters: {
        algorithm: 'logistic-regression',
        seed: t.config.seed,
        learning_rate: t.config.learningRate,
        epochs: t.config.epochs,
        l2: t.config.l2,
        train_rows: t.config.trainRows,
      },
      metrics: t.metrics,
    },
    tags: { example: 'true', domain: 'lending', task: 'binary-classification' },
    // The held-out rows (with labels) are the reference profile; the protected attributes
    // are declared so fairness is measured — and so the governance gate can refuse them.
    monitoring: {
      reference: 'data/holdout.csv',
      label: 'default',
      positiveClass: 'default',
      protectedAttributes: [
        { name: 'sex', privileged: ['male'] },
        { name: 'marital_status', privileged: ['married'] },
        { name: 'age', privileged: { min: 25 } },
      ],
    },
  };
}
