/**
 * `slipway monitor` and `slipway profile`: the summary's format as a table, and both
 * commands against a real server holding the example credit model.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import { createClient } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/capture-io.js';
import { type HealthSummary, formatHealth } from './monitor.js';

const AT = Date.UTC(2026, 10, 1, 12, 0);
const column = (name: string, drifted: boolean, statistic: number | null) => ({
  column: name,
  method: 'ks',
  statistic,
  pValue: statistic === null ? null : drifted ? 0.001 : 0.5,
  threshold: 0.05,
  drifted,
  referenceCount: 1000,
  currentCount: 250,
  histogram: { kind: 'numeric' as const, boundaries: [], reference: [], current: [] },
});

describe('formatHealth', () => {
  it('prints traffic, accuracy, drift per feature and fairness', () => {
    const health: HealthSummary = {
      pipeline: 'credit-risk',
      at: AT,
      traffic: { requests: 1200, errors: 6, errorRate: 0.005, p99Ms: 12.345 },
      drift: {
        start: AT - 300_000,
        version: 2,
        rows: 250,
        drift: { columns: [column('income', true, 0.31), column('age', false, 0.02)], prediction: [column('score', true, 0.2)], evaluatedColumns: 2, driftedColumns: 1, share: 0.5, driftShare: 0.5, drifted: true },
      },
      realized: { start: AT - 3_600_000, labelled: 800, accuracy: 0.853, labelCoverage: 0.8 },
      estimated: { start: AT - 300_000, accuracy: { value: 0.8, lower: 0.78, upper: 0.82 } },
      fairness: {
        start: AT - 86_400_000,
        attributes: [{ attribute: 'sex', privileged: ['male'], disparateImpact: 0.75, demographicParityDifference: 0.04, equalOpportunityDifference: null, equalizedOddsDifference: null, groups: [{ group: 'female', privileged: false, count: 20, selectionRate: 0.1, truePositiveRate: null, falsePositiveRate: null, small: true }, { group: 'male', privileged: true, count: 230, selectionRate: 0.14, truePositiveRate: null, falsePositiveRate: null, small: false }] }],
      },
    };
    expect(formatHealth(health)).toEqual([
      'credit-risk — health at 2026-11-01 12:00Z',
      '',
      'traffic (1h)  1200 requests',
      'errors        6 (0.5%)',
      'p99 latency   12.3 ms',
      'accuracy      0.853 realized (800 labels, 80.0% coverage, window 2026-11-01 11:00Z)',
      'estimated     0.800 accuracy (CBPE, band 0.780–0.820, window 2026-11-01 11:55Z)',
      '',
      'drift: 1 of 2 features drifted (50.0%; dataset DRIFTED) in the window of 2026-11-01 11:55Z, v2, 250 rows',
      'FEATURE           METHOD  STATISTIC  DRIFT WHEN          STATUS',
      'income            ks      0.310      p < 0.05 (p 0.001)  DRIFT',
      'age               ks      0.020      p < 0.05 (p 0.500)  ok',
      'prediction.score  ks      0.200      p < 0.05 (p 0.001)  DRIFT',
      '',
      'fairness (day of 2026-10-31 12:00Z):',
      'ATTRIBUTE  DISPARATE IMPACT  PARITY DIFF  EQ. OPP. DIFF  GROUPS (* privileged)',
      'sex        0.750             0.040        –              female 20 (small), male* 230',
    ]);
  });

  it('says what is missing when nothing was profiled yet', () => {
    const lines = formatHealth({ pipeline: 'x', at: AT, traffic: { requests: 0, errors: 0, errorRate: 0, p99Ms: null }, drift: null, realized: null, estimated: null, fairness: null });
    expect(lines).toContain('drift: no profiled window yet (the version needs a reference profile: monitoring.reference or `slipway profile`)');
    expect(lines).toContain('accuracy      no labels yet');
  });
});

describe('slipway monitor and profile against a running server', () => {
  const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));
  let dir: string;
  let server: RunningServer;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, { env, cwd: dir });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-monitor-'));
    const dataDir = join(dir, 'data');
    server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent', modelMemory: '256MiB', workerThreads: 1 }, {}));
    env = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
    await cp(join(examples, 'credit-risk'), join(dir, 'credit-risk'), { recursive: true });
    expect((await cli('push', 'credit-risk')).code).toBe(0);
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('summarises drift and fairness of served runs, as text and as JSON', async () => {
    const client = createClient({ server: server.url, token: server.newAdminToken! });
    const inputs = Array.from({ length: 40 }, (_, i) => ({ age: 20 + i, sex: i % 2 ? 'male' : 'female', marital_status: 'single', income: 30_000 + 1000 * i, debt_ratio: 0.3, credit_history_years: 5, num_open_accounts: 3, late_payments_2y: 0, loan_amount: 10_000, employment_years: 4 }));
    await client.run({ pipeline: 'credit-risk', inputs });
    const text = await cli('monitor', 'credit-risk');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^credit-risk — health at /);
    expect(text.stdout).toMatch(/drift: \d+ of 10 features drifted .* v1, 40 rows/);
    expect(text.stdout).toMatch(/\nincome\s+ks\s/);
    expect(text.stdout).toMatch(/\nsex\s+\S+\s+\S+\s+–\s+female 20 \(small\), male\* 20 \(small\)/);
    const json = await cli('monitor', 'credit-risk', '--json');
    const health = JSON.parse(json.stdout) as HealthSummary;
    expect(health.drift?.rows).toBe(40);
    expect(health.fairness?.attributes.map((a) => a.attribute)).toEqual(['sex', 'marital_status', 'age']);
    expect((await cli('monitor', 'nope')).code).toBe(3);
    expect(await client.monitoring.profile('credit-risk', 1)).toMatchObject({ pipeline: 'credit-risk', version: 1, source: 'data/holdout.csv', rows: 1000 });
  });

  it('recomputes a reference profile from a CSV; a bad CSV exits 2 naming line and column', async () => {
    const ok = await cli('profile', 'credit-risk:v1', '-f', 'credit-risk/data/holdout.csv');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^credit-risk:v1 reference profile: 1000 rows from holdout.csv, 10 features\nevaluation on 1000 labelled rows: accuracy 0.8760/);
    await writeFile(join(dir, 'bad.csv'), 'age,sex\n30,robot\n');
    const bad = await cli('profile', 'credit-risk', '-f', 'bad.csv');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.csv: line 1, column marital_status');
  });
});
