/**
 * A synthetic sensor-window dataset for the `sensor-mlp` example: windows of 16 readings
 * from a vibrating part, each showing one of three states. `SENSOR_GENERATIVE_PROCESS`
 * documents the draws (the example's README renders it), so `generateSensorData` must
 * stay in step with it.
 */
import { type CsvValue, toCsv } from './csv.js';
import { Random } from './random.js';

export const SIGNAL_LENGTH = 16;
export const SENSOR_CLASSES = ['nominal', 'drift', 'spike'] as const;

/** How each window is drawn (U = uniform, N = normal), step by step. */
export const SENSOR_GENERATIVE_PROCESS: readonly string[] = [
  'class: nominal, drift or spike, each with probability 1/3.',
  'base: a·sin(2π·f·t/16 + φ) + c + N(0, 0.1) for t = 0…15, with amplitude a ~ U(0.5, 1), f ~ U(1, 3) cycles per window, phase φ ~ U(0, 2π), offset c ~ N(0, 0.2).',
  'nominal: the base signal unchanged.',
  'drift: plus a ramp s·(t − 7.5), |s| ~ U(0.06, 0.15), either sign — a sensor losing calibration.',
  'spike: plus one impulse of height ±U(1.5, 3) at a uniformly drawn t — a loose contact.',
  'Readings are rounded to 3 decimals, so the CSV holds exactly what the model saw.',
];

export interface SensorDataset {
  /** Row-major [n, SIGNAL_LENGTH]. */
  signals: Float64Array;
  /** Index into `SENSOR_CLASSES` per window. */
  labels: Uint8Array;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** `n` windows and their classes, a pure function of `seed`. */
export function generateSensorData(n: number, seed: number): SensorDataset {
  const rng = new Random(seed);
  const signals = new Float64Array(n * SIGNAL_LENGTH);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = rng.int(0, SENSOR_CLASSES.length - 1);
    labels[i] = label;
    const amplitude = rng.uniform(0.5, 1);
    const frequency = rng.uniform(1, 3);
    const phase = rng.uniform(0, 2 * Math.PI);
    const offset = rng.normal(0, 0.2);
    // Drawn for every class so a window's randomness does not depend on its class.
    const slope = rng.uniform(0.06, 0.15) * (rng.bernoulli(0.5) ? 1 : -1);
    const spikeAt = rng.int(0, SIGNAL_LENGTH - 1);
    const spike = rng.uniform(1.5, 3) * (rng.bernoulli(0.5) ? 1 : -1);
    for (let t = 0; t < SIGNAL_LENGTH; t++) {
      let v = amplitude * Math.sin((2 * Math.PI * frequency * t) / SIGNAL_LENGTH + phase) + offset + rng.normal(0, 0.1);
      if (SENSOR_CLASSES[label] === 'drift') v += slope * (t - (SIGNAL_LENGTH - 1) / 2);
      if (SENSOR_CLASSES[label] === 'spike' && t === spikeAt) v += spike;
      signals[i * SIGNAL_LENGTH + t] = round3(v);
    }
  }
  return { signals, labels };
}

/** The dataset as CSV: columns `s0`…`s15`, then `label` (the class name). */
export function sensorCsv(data: SensorDataset): string {
  const columns = [...Array.from({ length: SIGNAL_LENGTH }, (_, t) => `s${t}`), 'label'];
  const rows: CsvValue[][] = [];
  for (let i = 0; i < data.labels.length; i++) {
    const row: CsvValue[] = Array.from(data.signals.subarray(i * SIGNAL_LENGTH, (i + 1) * SIGNAL_LENGTH));
    row.push(SENSOR_CLASSES[data.labels[i] ?? 0] ?? '');
    rows.push(row);
  }
  return toCsv(columns, rows);
}
