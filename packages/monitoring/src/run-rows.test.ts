import { readFileSync } from 'node:fs';
import { type Manifest, type RunEvent, type Tensor, type VersionRecord, encodeRecords, parseManifest } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { decodeRecords, runRows } from './run-rows.js';

const creditManifest = parseManifest(readFileSync(new URL('../../../examples/credit-risk/slipway.yaml', import.meta.url), 'utf8'));
const creditFeatures = creditManifest.tabular?.features ?? [];

function record(manifest: Manifest, inputs: { name: string; datatype: Tensor['datatype'] }[] = [{ name: 'features', datatype: 'FP32' }]): VersionRecord {
  return {
    pipeline: manifest.name,
    version: 1,
    digest: 'sha256:00',
    manifest,
    signature: { inputs: inputs.map((i) => ({ ...i, shape: [-1, -1] })), outputs: [] },
    artifacts: [],
    lineage: { parameters: {}, metrics: {} },
    createdBy: 'test',
    createdAt: new Date(0).toISOString(),
  };
}

function event(rec: VersionRecord, inputs: [string, Tensor][], outputs?: [string, Tensor][], error?: RunEvent['error']): RunEvent {
  return {
    runId: 'run-1',
    record: rec,
    surface: 'runs',
    inputs: new Map(inputs),
    ...(outputs === undefined ? {} : { outputs: new Map(outputs) }),
    ...(error === undefined ? {} : { error }),
    startedAt: 0,
    latencyMs: 1,
  };
}

const fp32 = (shape: number[], values: number[]): Tensor => ({ datatype: 'FP32', shape, data: Float32Array.from(values) });

const applicants = [
  { age: 41, sex: 'female', marital_status: 'married', income: 52_000, debt_ratio: 0.25, credit_history_years: 12, num_open_accounts: 3, late_payments_2y: 0, loan_amount: 15_000, employment_years: 7 },
  { age: 23, sex: 'male', marital_status: 'divorced', income: 18_500, debt_ratio: 1.125, credit_history_years: 1, num_open_accounts: 7, late_payments_2y: 4, loan_amount: 9_000, employment_years: 0 },
];

describe('decodeRecords', () => {
  it('inverts encodeRecords for the credit-risk features (numeric, one-hot categorical)', () => {
    expect(decodeRecords(creditFeatures, encodeRecords(creditFeatures, applicants))).toEqual(applicants);
  });

  it.each([
    ['boolean 1 → true', [{ name: 'owner', type: 'boolean' as const }], [1], { owner: true }],
    ['boolean 0 → false', [{ name: 'owner', type: 'boolean' as const }], [0], { owner: false }],
    ['NaN numeric → null', [{ name: 'x', type: 'numeric' as const }], [NaN], { x: null }],
    ['all-zero one-hot → null', [{ name: 'c', type: 'categorical' as const, categories: ['a', 'b'] }], [0, 0], { c: null }],
    ['soft one-hot → largest column', [{ name: 'c', type: 'categorical' as const, categories: ['a', 'b', 'c'] }], [0.2, 0.7, 0.1], { c: 'b' }],
  ])('%s', (_name, features, values, expected) => {
    expect(decodeRecords(features, fp32([1, values.length], values))).toEqual([expected]);
  });
});

describe('runRows', () => {
  const credit = record(creditManifest);
  const input = encodeRecords(creditFeatures, applicants);

  it('gives the credit-risk label (argmax) and the score of the positive (last) class per row', () => {
    const rows = runRows(event(credit, [['features', input]], [['probabilities', fp32([2, 2], [0.875, 0.125, 0.25, 0.75])], ['label', { datatype: 'INT64', shape: [2], data: BigInt64Array.from([0n, 1n]) }]]));
    expect(rows).toEqual([
      { row: 0, features: applicants[0], prediction: { label: 'repaid', score: 0.125 } },
      { row: 1, features: applicants[1], prediction: { label: 'default', score: 0.75 } },
    ]);
  });

  it('decodes an event once: every observer asking for it shares the same rows', () => {
    const e = event(credit, [['features', input]], [['probabilities', fp32([2, 2], [0.875, 0.125, 0.25, 0.75])]]);
    const first = runRows(e);
    expect(runRows(e)).toBe(first);
    expect(runRows(event(credit, [['features', input]]))).not.toBe(first);
  });

  it('scores the declared positive class of a binary classifier', () => {
    const manifest: Manifest = { ...creditManifest, monitoring: { positiveClass: 'repaid' } };
    const rows = runRows(event(record(manifest), [['features', input]], [['probabilities', fp32([2, 2], [0.875, 0.125, 0.25, 0.75])]]));
    expect(rows.map((r) => r.prediction)).toEqual([{ label: 'repaid', score: 0.875 }, { label: 'default', score: 0.25 }]);
  });

  it('logs features with a null prediction when the run failed', () => {
    expect(runRows(event(credit, [['features', input]], undefined, 'pipeline_error'))).toEqual([
      { row: 0, features: applicants[0], prediction: null },
      { row: 1, features: applicants[1], prediction: null },
    ]);
  });

  const base: Manifest = { name: 'm', runtime: 'onnx', model: 'model.onnx' };
  const x = fp32([2, 3], [1, 2, 6, -1, 0, 4]);
  it.each<[string, Manifest['outputs'], [string, Tensor][], object[]]>([
    ['multi-class: the max probability is the score', { probabilities: 'p', classLabels: ['a', 'b', 'c'] }, [['p', fp32([2, 3], [0.5, 0.25, 0.25, 0.125, 0.25, 0.625])]], [{ label: 'a', score: 0.5 }, { label: 'c', score: 0.625 }]],
    ['probabilities without class labels: index as label', { probabilities: 'p' }, [['p', fp32([2, 2], [0.5, 0.5, 0.25, 0.75])]], [{ label: '0', score: 0.5 }, { label: '1', score: 0.75 }]],
    ['a label output without probabilities (strings)', { label: 'l' }, [['l', { datatype: 'BYTES', shape: [2], data: ['cat', 'dog'] }]], [{ label: 'cat' }, { label: 'dog' }]],
    ['a label output of indices mapped through classLabels', { label: 'l', classLabels: ['no', 'yes'] }, [['l', { datatype: 'INT32', shape: [2, 1], data: Int32Array.from([1, 0]) }]], [{ label: 'yes' }, { label: 'no' }]],
    ['no guidance: one number per row is a value', undefined, [['y', fp32([2, 1], [3.5, -2])]], [{ value: 3.5 }, { value: -2 }]],
    ['no guidance, several numbers per row: no prediction fields', undefined, [['y', fp32([2, 2], [1, 2, 3, 4])]], [{}, {}]],
  ])('%s', (_name, outputs, tensors, expected) => {
    const rows = runRows(event(record({ ...base, ...(outputs === undefined ? {} : { outputs }) }, [{ name: 'x', datatype: 'FP32' }]), [['x', x]], tensors));
    expect(rows.map((r) => r.prediction)).toEqual(expected);
  });

  it('summarises each tensor input per row for non-tabular pipelines (mean, min, max; string length for BYTES)', () => {
    const rows = runRows(
      event(
        record(base, [{ name: 'x', datatype: 'FP32' }, { name: 'text', datatype: 'BYTES' }]),
        [
          ['x', x],
          ['text', { datatype: 'BYTES', shape: [2], data: ['hello', 'hi'] }],
        ],
        [['y', fp32([2, 1], [1, 2])]],
      ),
    );
    expect(rows.map((r) => r.features)).toEqual([
      { 'x.mean': 3, 'x.min': 1, 'x.max': 6, 'text.length': 5 },
      { 'x.mean': 1, 'x.min': -1, 'x.max': 4, 'text.length': 2 },
    ]);
  });

  it('reads 64-bit and half-precision inputs as numbers', () => {
    const rows = runRows(
      event(record(base, [{ name: 'a', datatype: 'INT64' }, { name: 'h', datatype: 'FP16' }]), [
        ['a', { datatype: 'INT64', shape: [1, 2], data: BigInt64Array.from([2n, 4n]) }],
        // 0x3c00 = 1.0, 0x4000 = 2.0 in IEEE half precision.
        ['h', { datatype: 'FP16', shape: [1, 2], data: Uint16Array.from([0x3c00, 0x4000]) }],
      ]),
    );
    expect(rows[0]?.features).toEqual({ 'a.mean': 3, 'a.min': 2, 'a.max': 4, 'h.mean': 1.5, 'h.min': 1, 'h.max': 2 });
  });
});
