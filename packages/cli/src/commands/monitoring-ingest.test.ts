import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedbackResponse, KpiSeriesResponse, PredictionsResponse } from '@slipway/core';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/capture-io.js';
import { formatFeedback, formatPredictions, parseFeedbackFile } from './monitoring-ingest.js';

describe('parseFeedbackFile', () => {
  it('reads JSON lines, skipping blank lines and remembering each item’s line', () => {
    const text = '{"runId": "r1", "label": "default"}\n\n{"pipeline": "p", "predictionId": "x", "row": 1, "label": 3.5}\n';
    expect(parseFeedbackFile(text, 'jsonl')).toEqual({
      items: [
        { runId: 'r1', label: 'default' },
        { pipeline: 'p', predictionId: 'x', row: 1, label: 3.5 },
      ],
      lines: [1, 3],
    });
  });

  it('reads CSV with a header; labels stay strings unless --numeric-labels', () => {
    const text = 'runId,row,label,at\nr1,0,repaid,1767225600000\nr2,,1,2026-01-01T00:00:00Z\n';
    expect(parseFeedbackFile(text, 'csv').items).toEqual([
      { runId: 'r1', row: 0, label: 'repaid', at: 1_767_225_600_000 },
      { runId: 'r2', label: '1', at: '2026-01-01T00:00:00Z' },
    ]);
    expect(parseFeedbackFile('runId,label\nr1,2.5\n', 'csv', { numericLabels: true }).items).toEqual([{ runId: 'r1', label: 2.5 }]);
  });

  it.each<[string, string, 'jsonl' | 'csv', RegExp]>([
    ['a line that is not JSON', '{"runId": "r1", "label": "a"}\nnot json\n', 'jsonl', /^line 2: is not a JSON object/],
    ['a JSON array line', '[1, 2]\n', 'jsonl', /^line 1: is not a JSON object/],
    ['a CSV without a label column', 'runId,value\nr1,3\n', 'csv', /^line 1: the header needs a "label" column/],
    ['an empty file', '\n', 'jsonl', /^--file: holds no labels/],
  ])('refuses %s, naming the line', (_name, text, format, message) => {
    expect(() => parseFeedbackFile(text, format)).toThrow(message);
  });
});

describe('formatting', () => {
  it('prints the log as a table with the cursor for the next page', () => {
    const lines = formatPredictions({
      predictions: [
        {
          id: 'run-1/0',
          pipeline: 'p',
          version: 2,
          runId: 'run-1',
          predictionId: null,
          row: 0,
          at: Date.UTC(2026, 0, 1, 12),
          latencyMs: 1.234,
          caller: null,
          surface: 'runs',
          error: null,
          features: { age: 41, sex: 'female' },
          prediction: { label: 'default', score: 0.8123 },
        },
      ],
      next: 'run-1/0',
    });
    expect(lines).toEqual([
      'TIME                  VERSION  RUN/ROW  PREDICTION     LATENCY  FEATURES',
      '2026-01-01 12:00:00Z  v2       run-1/0  default 0.812  1.2 ms   age=41 sex=female',
      '',
      'more: --after run-1/0',
    ]);
  });

  it('sums a feedback upload, naming unknown and refused items by file line', () => {
    expect(
      formatFeedback({
        accepted: 2,
        replaced: 1,
        unknown: [{ index: 1, runId: 'gone', row: 0 }],
        rejected: [{ index: 2, issues: [{ path: 'items[2].label', message: 'is required' }] }],
        lines: [1, 2, 4],
      }),
    ).toEqual([
      '2 labels stored, 1 replaced an earlier label, 1 for unknown predictions, 1 refused',
      '  line 2: no logged prediction for run gone row 0 (kept; joins if it is logged later)',
      '  line 4: label: is required',
    ]);
  });
});

const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));

describe('slipway predictions / feedback / kpi against a running server', () => {
  let dir: string;
  let server: RunningServer;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, { env, cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-ingest-cli-'));
    const dataDir = join(dir, 'data');
    server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent', modelMemory: '256MiB', workerThreads: 1 }, {}));
    env = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
    await cp(join(examples, 'credit-risk'), join(dir, 'credit-risk'), { recursive: true });
    expect((await cli('push', 'credit-risk')).code).toBe(0);
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs, lists and exports the log, sends labels from a file and pushes a KPI', async () => {
    const record = { age: 35, sex: 'female', marital_status: 'married', income: 52000, debt_ratio: 0.3, credit_history_years: 10, num_open_accounts: 3, late_payments_2y: 0, loan_amount: 12000, employment_years: 6 };
    const run = await cli('run', 'credit-risk', '--input', JSON.stringify([record, { ...record, sex: 'male', income: 18000 }]), '--json');
    expect(run.code).toBe(0);
    const runId = (JSON.parse(run.stdout) as { id: string }).id;

    // Logged off the request path: poll briefly until the batch is written.
    let page: PredictionsResponse = { predictions: [], next: null };
    for (let i = 0; i < 50 && page.predictions.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      page = JSON.parse((await cli('predictions', 'credit-risk', '--json')).stdout) as PredictionsResponse;
    }
    expect(page.predictions.map((p) => [p.runId, p.row, p.features.sex, p.features.income])).toEqual([
      [runId, 0, 'female', 52000],
      [runId, 1, 'male', 18000],
    ]);
    const table = await cli('predictions', 'credit-risk', '--limit', '1');
    expect(table.stdout).toMatch(/^TIME\s+VERSION\s+RUN\/ROW\s+PREDICTION/);
    expect(table.stdout).toContain(`more: --after ${runId}/0`);
    const jsonl = await cli('predictions', 'credit-risk', '--jsonl');
    expect(jsonl.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as Record<string, unknown>)['feature.marital_status'])).toEqual(['married', 'married']);
    expect((await cli('predictions', 'credit-risk', '--since', 'soon')).code).toBe(2);

    await writeFile(join(dir, 'labels.csv'), `runId,row,label\n${runId},0,repaid\n${runId},1,default\nno-such-run,0,repaid\n${runId},0,\n`);
    const sent = await cli('feedback', '-f', 'labels.csv', '--json');
    // The empty label is refused (exit 2); the others are stored, the unknown one reported.
    expect(sent.code).toBe(2);
    const answer = JSON.parse(sent.stdout) as FeedbackResponse;
    expect([answer.accepted, answer.unknown.map((u) => u.runId), answer.rejected.map((r) => r.index)]).toEqual([3, ['no-such-run'], [3]]);
    expect(sent.stderr).toMatch(/1 of 4 labels were refused/);

    expect((await cli('kpi', 'push', 'approved_loans', '12', '--pipeline', 'credit-risk')).stdout).toBe('recorded approved_loans = 12\n');
    const shown = JSON.parse((await cli('kpi', 'show', 'approved_loans', '--json')).stdout) as KpiSeriesResponse;
    expect(shown.series.map((s) => [s.sum, s.count])).toEqual([[12, 1]]);
    expect((await cli('kpi', 'push', 'approved_loans', 'lots')).code).toBe(2);
  });
});
