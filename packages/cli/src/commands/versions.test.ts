import type { VersionRecord } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { formatVersionDetails, formatVersions } from './versions.js';

const version: VersionRecord = {
  pipeline: 'tiny',
  version: 2,
  digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
  manifest: {
    name: 'tiny',
    description: 'a tiny classifier',
    runtime: 'onnx',
    model: 'model.onnx',
    tabular: { input: 'features', features: [{ name: 'income', type: 'numeric' }, { name: 'region', type: 'categorical', categories: ['north', 'south'] }] },
  },
  signature: {
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 3], symbolicDims: { 0: 'batch' } }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
  },
  artifacts: [{ path: 'model.onnx', digest: 'sha256:aa', size: 2048 }],
  lineage: { codeCommit: 'abc123', dataset: { uri: 's3://bucket/credit.csv', digest: 'sha256:00ff' }, parameters: { lr: 0.1, epochs: 10 }, metrics: { auc: 0.81 } },
  createdBy: 'admin',
  createdAt: '2025-06-01T10:00:00.000Z',
};

describe('formatVersionDetails', () => {
  it('shows signature, features, lineage, artifacts and the aliases pointing at the version', () => {
    const aliases = [
      { pipeline: 'tiny', alias: 'production', version: 2, updatedBy: 'admin', updatedAt: '' },
      { pipeline: 'tiny', alias: 'staging', version: 3, updatedBy: 'admin', updatedAt: '' },
    ];
    expect(formatVersionDetails(version, aliases)).toEqual([
      'tiny:v2',
      '  a tiny classifier',
      '',
      'signature',
      '          NAME           DATATYPE  SHAPE',
      '  input   features       FP32      [batch, 3]',
      '  output  probabilities  FP32      [?, 2]',
      '',
      'features (records for input features)',
      '  NAME    TYPE         VALUES',
      '  income  numeric',
      '  region  categorical  north | south',
      '',
      'lineage',
      '  code commit  abc123',
      '  dataset      s3://bucket/credit.csv (sha256:00ff)',
      '  parameters   epochs=10, lr=0.1',
      '  metrics      auc=0.81',
      '  pushed       by admin at 2025-06-01 10:00:00Z',
      `  digest       ${version.digest}`,
      '',
      'artifacts',
      '  PATH        SIZE     DIGEST',
      '  model.onnx  2.0 KiB  sha256:aa',
      '',
      'aliases: tiny@production',
    ]);
  });
});

describe('formatVersions', () => {
  it('lists versions with their aliases and short digests', () => {
    expect(formatVersions([version], { production: 2, canary: 2, staging: 3 })).toEqual([
      'VERSION  CREATED               BY     ALIASES             DIGEST',
      'v2       2025-06-01 10:00:00Z  admin  canary, production  sha256:0123456789ab',
    ]);
  });
});
