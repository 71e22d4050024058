import { describe, expect, it } from 'vitest';
import { createOutput, formatFields, formatTable } from './output.js';

describe('formatTable', () => {
  it('aligns columns and leaves no trailing spaces', () => {
    expect(formatTable(['NAME', 'V'], [['credit-risk', 'v1'], ['a', 'v10']])).toEqual(['NAME         V', 'credit-risk  v1', 'a            v10']);
  });

  it('prints only the header for no rows', () => {
    expect(formatTable(['A', 'B'], [])).toEqual(['A  B']);
  });
});

describe('formatFields', () => {
  it('aligns values', () => {
    expect(formatFields([['dataset', 's3://x'], ['metrics', 'auc=0.8'], ['code commit', 'abc']])).toEqual([
      'dataset      s3://x',
      'metrics      auc=0.8',
      'code commit  abc',
    ]);
  });
});

describe('createOutput', () => {
  const capture = (json: boolean) => {
    let out = '';
    const output = createOutput({ stdout: (t) => (out += t), stderr: () => undefined }, json);
    output.result({ ref: 'a:v1' }, () => ['a:v1', 'second line']);
    return out;
  };

  it('prints lines for people', () => {
    expect(capture(false)).toBe('a:v1\nsecond line\n');
  });

  it('prints the data as JSON with --json', () => {
    expect(JSON.parse(capture(true))).toEqual({ ref: 'a:v1' });
  });
});
