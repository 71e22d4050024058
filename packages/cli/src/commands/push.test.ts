import { describe, expect, it } from 'vitest';
import { formatPush, lineageFromFlags } from './push.js';

const none = { param: [], metric: [] };

describe('lineageFromFlags', () => {
  it('gives nothing for no flags', () => {
    expect(lineageFromFlags(none)).toEqual({});
  });

  it('keeps numbers and booleans typed in parameters, strings otherwise', () => {
    expect(lineageFromFlags({ ...none, param: ['epochs=200', 'lr=0.05', 'balanced=true', 'algorithm=logistic', 'note=a=b', 'empty='] })).toEqual({
      parameters: { epochs: 200, lr: 0.05, balanced: true, algorithm: 'logistic', note: 'a=b', empty: '' },
    });
  });

  it('maps code and dataset flags', () => {
    expect(
      lineageFromFlags({ ...none, codeCommit: 'abc', codeRepository: 'https://git/x', datasetUri: 's3://d', datasetDigest: 'sha256:1', metric: ['auc=0.81'] }),
    ).toEqual({ codeCommit: 'abc', codeRepository: 'https://git/x', dataset: { uri: 's3://d', digest: 'sha256:1' }, metrics: { auc: 0.81 } });
  });

  it('reports every bad --param and --metric at once', () => {
    expect(() => lineageFromFlags({ ...none, param: ['epochs'], metric: ['auc=high', 'f1=', '=3'] })).toThrow(
      '--param: "epochs" must look like key=value; --metric: auc: "high" is not a number; --metric: f1: "" is not a number; --metric: "=3" must look like key=value',
    );
  });
});

describe('formatPush', () => {
  it('prints the ref, and says when nothing changed', () => {
    expect(formatPush({ ref: 'credit-risk:v1', created: true } as never)).toBe('credit-risk:v1');
    expect(formatPush({ ref: 'credit-risk:v1', created: false } as never)).toBe('credit-risk:v1 (unchanged: identical to credit-risk:v1)');
  });
});
