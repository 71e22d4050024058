import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResponse } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRun, parseTimeoutMs, readRunInput } from './run.js';

describe('readRunInput', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-run-'));
    await writeFile(join(dir, 'records.json'), '[{"age": 41}, {"age": 60}]');
    await writeFile(join(dir, 'broken.json'), '{"age": ');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads inline JSON and @files relative to cwd', async () => {
    expect(await readRunInput('{"age": 41}', dir)).toEqual({ age: 41 });
    expect(await readRunInput('@records.json', dir)).toEqual([{ age: 41 }, { age: 60 }]);
  });

  it('names the problem: bad JSON, unreadable file', async () => {
    await expect(readRunInput('{age: 41}', dir)).rejects.toThrow(/^--input: is not valid JSON \(.*\); give a record like '\{"age": 41\}' or @file\.json$/);
    await expect(readRunInput('@broken.json', dir)).rejects.toThrow(/^--input: broken\.json is not valid JSON/);
    await expect(readRunInput('@missing.json', dir)).rejects.toThrow('--input: cannot read missing.json (ENOENT)');
  });
});

describe('parseTimeoutMs', () => {
  it('reads whole milliseconds and refuses anything else', () => {
    expect(parseTimeoutMs('2000')).toBe(2000);
    for (const text of ['0', '-1', '1.5', '2s', '']) expect(() => parseTimeoutMs(text)).toThrow('must be a whole number of milliseconds, e.g. 2000');
  });
});

describe('formatRun', () => {
  const base = { id: 'run-1', pipeline: 'credit-risk', version: 1, ref: 'credit-risk:v1', timings: { totalMs: 2.345 } };

  it('shows a classifier as label and probabilities per record', () => {
    const response: RunResponse = {
      ...base,
      outputs: {},
      predictions: [
        { label: 'repaid', probabilities: { repaid: 0.8372, default: 0.1628 } },
        { label: 'default', probabilities: { repaid: 0.4, default: 0.6 } },
      ],
    };
    expect(formatRun(response)).toEqual([
      'credit-risk:v1  run run-1  2.3 ms',
      'RECORD  LABEL    P(repaid)  P(default)',
      '0       repaid   0.8372     0.1628',
      '1       default  0.4000     0.6000',
    ]);
  });

  it('shows other models output by output', () => {
    expect(formatRun({ ...base, outputs: { y: [[1, 2]], z: [0.5] } })).toEqual(['credit-risk:v1  run run-1  2.3 ms', 'OUTPUT  VALUE', 'y       [[1,2]]', 'z       [0.5]']);
  });
});
