/**
 * End to end: the real server, started in-process on a free port with a fresh data dir,
 * driven through `main` as a user would type the commands. The token comes from the
 * token file the server writes, as it does on a laptop.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedVersionView, PushResponse, RunResponse, ServingModelsResponse } from '@slipway/core';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_RISK_EXAMPLE_RECORD } from './commands/server.js';
import { runCli } from './testing/capture-io.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

let dir: string;
let server: RunningServer;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { env, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-e2e-'));
  const dataDir = join(dir, 'data');
  const serving = { modelMemory: '256MiB', workerThreads: 1 };
  server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent', ...serving }, {}));
  env = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
  await cp(join(examples, 'credit-risk'), join(dir, 'credit-risk'), { recursive: true });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('slipway against a running server', () => {
  it('init → push → push again → alias → history → run → show → pipelines ls', async () => {
    expect(server.newAdminToken).toBeDefined();

    // A scaffolded package pushes as it is, once it has a model.
    expect((await cli('init', 'demo')).code).toBe(0);
    await cp(join(examples, 'sensor-mlp', 'model.onnx'), join(dir, 'demo', 'model.onnx'));
    const flags = ['--code-commit', 'abc123', '--dataset-uri', 's3://bucket/sensors.csv', '--param', 'epochs=30', '--metric', 'accuracy=0.98'];
    expect(await cli('push', 'demo', ...flags)).toEqual({ code: 0, stdout: 'demo:v1\n', stderr: '' });
    expect(await cli('push', 'demo', ...flags)).toEqual({ code: 0, stdout: 'demo:v1 (unchanged: identical to demo:v1)\n', stderr: '' });

    const pushed = await cli('push', 'credit-risk', '--json');
    expect(pushed.code).toBe(0);
    expect(JSON.parse(pushed.stdout) as PushResponse).toMatchObject({ ref: 'credit-risk:v1', created: true, version: { pipeline: 'credit-risk', version: 1 } });
    expect((await cli('push', 'credit-risk', '--metric', 'auc=0.91')).stdout).toBe('credit-risk:v2\n');

    // The default Regulation B policy keeps credit-risk (sex, age, marital_status inputs) out of production.
    const refused = await cli('alias', 'set', 'credit-risk@production', 'v1');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/credit-risk:v1 may not serve "production": \[regulation-b prohibited-features\]/);
    expect(await cli('alias', 'set', 'credit-risk@staging', 'v1')).toEqual({ code: 0, stdout: 'credit-risk@staging → v1\n', stderr: '' });
    expect((await cli('alias', 'set', 'credit-risk@staging', '2')).stdout).toBe('credit-risk@staging → v2\n');
    const history = (await cli('alias', 'history', 'credit-risk@staging')).stdout.split('\n');
    expect(history[0]).toMatch(/^WHEN\s+WHO\s+FROM → TO$/);
    expect(history[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+admin\s+\(new\) → v1$/);
    expect(history[2]).toMatch(/\s+admin\s+v1 → v2$/);
    expect((await cli('alias', 'ls', 'credit-risk')).stdout).toMatch(/credit-risk@staging\s+v2\s+admin/);

    const run = await cli('run', 'credit-risk@staging', '--input', JSON.stringify(CREDIT_RISK_EXAMPLE_RECORD));
    expect(run.code).toBe(0);
    const [header, columns, row] = run.stdout.split('\n');
    expect(header).toMatch(/^credit-risk:v2 {2}run \S+ {2}\d+\.\d ms$/);
    expect(columns).toMatch(/^RECORD\s+LABEL\s+P\(repaid\)\s+P\(default\)$/);
    expect(row).toMatch(/^0\s+(repaid|default)\s+0\.\d{4}\s+0\.\d{4}$/);

    await writeFile(join(dir, 'two.json'), JSON.stringify([CREDIT_RISK_EXAMPLE_RECORD, { ...CREDIT_RISK_EXAMPLE_RECORD, late_payments_2y: 6 }]));
    const runJson = await cli('run', 'credit-risk:v1', '--input', '@two.json', '--json');
    expect((JSON.parse(runJson.stdout) as RunResponse).predictions).toHaveLength(2);

    const show = (await cli('show', 'credit-risk@staging')).stdout;
    expect(show).toMatch(/^credit-risk:v2\n/);
    expect(show).toMatch(/input\s+features\s+FP32\s+\[batch, 13\]/);
    expect(show).toMatch(/marital_status\s+categorical\s+single \| married \| divorced/);
    expect(show).toContain('accuracy=0.876, auc=0.91');
    expect(show).toMatch(/pushed\s+by admin at /);
    expect(show).toMatch(/model\.onnx\s+\d+ B\s+sha256:[0-9a-f]{64}/);
    expect(show).toContain('aliases: credit-risk@staging');
    expect((await cli('show', 'demo')).stdout).toMatch(/code commit\s+abc123\n\s+dataset\s+s3:\/\/bucket\/sensors\.csv\n\s+parameters\s+epochs=30/);

    const versions = (await cli('versions', 'credit-risk')).stdout.split('\n');
    expect(versions[1]).toMatch(/^v2\s+.*\s+admin\s+staging\s+sha256:/);
    expect(versions[2]).toMatch(/^v1\s+/);

    const pipelines = await cli('pipelines', 'ls');
    expect(pipelines.stdout).toMatch(/credit-risk\s+v2\s+2\s+staging→v2/);
    expect(pipelines.stdout).toMatch(/demo\s+v1\s+1\s+–/);
  });

  it('run --timeout → warmup → serving ls (pinned) → cooldown → serving ls (gone)', async () => {
    const record = JSON.stringify(CREDIT_RISK_EXAMPLE_RECORD);
    expect((await cli('run', 'credit-risk@staging', '--input', record, '--timeout', '5000')).code).toBe(0);

    const warm = await cli('warmup', 'credit-risk@staging');
    expect(warm).toMatchObject({ code: 0, stderr: '' });
    expect(warm.stdout).toMatch(/^credit-risk:v2 warm on (inline|thread-0) \(\d+(\.\d)? (B|KiB|MiB); loaded in \d+\.\d ms, warm-up run \d+\.\d ms\), pinned until cooldown\n$/);

    const listed = (await cli('serving', 'ls')).stdout.split('\n');
    expect(listed[0]).toMatch(/^VERSION\s+HOST\s+MEMORY\s+HITS\s+PINNED$/);
    expect(listed).toContainEqual(expect.stringMatching(/^credit-risk:v2\s+(inline|thread-0)\s+\d+(\.\d)? (B|KiB|MiB)\s+\d+\s+until cooldown$/));
    expect(listed.at(-2)).toMatch(/^memory: \d+(\.\d)? (B|KiB|MiB) used of 256\.0 MiB$/);

    const timed = JSON.parse((await cli('warmup', 'demo:v1', '--for', '10m', '--json')).stdout) as LoadedVersionView;
    expect(Date.parse(timed.pinnedUntil ?? '') - Date.now()).toBeGreaterThan(9 * 60_000);

    expect(await cli('cooldown', 'credit-risk@staging')).toEqual({ code: 0, stdout: 'credit-risk:v2 unpinned and unloaded\n', stderr: '' });
    const after = JSON.parse((await cli('serving', '--json')).stdout) as ServingModelsResponse;
    expect(after.models.map((m) => `${m.pipeline}:v${m.version}`)).not.toContain('credit-risk:v2');
    expect(after.models).toContainEqual(expect.objectContaining({ pipeline: 'demo', version: 1 }));
    expect((await cli('serving', 'ls')).stdout).not.toMatch(/^credit-risk:v2\s/m);

    expect((await cli('warmup', 'credit-risk:v9')).code).toBe(3);
  });

  it('exits 2 naming the field when the manifest is broken', async () => {
    await mkdir(join(dir, 'broken'));
    await cp(join(examples, 'sensor-mlp', 'model.onnx'), join(dir, 'broken', 'model.onnx'));
    await writeFile(join(dir, 'broken', 'slipway.yaml'), 'name: Broken Model\nruntime: onnx\n');
    const result = await cli('push', 'broken');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: package rejected: slipway\.yaml: name: .*\n$/);
  });

  it('exits 3 for a ref that does not exist', async () => {
    const show = await cli('show', 'nope');
    expect(show.code).toBe(3);
    expect(show.stderr).toMatch(/^error: .*"nope".*\n$/);
    expect((await cli('run', 'credit-risk:v9', '--input', '{}')).code).toBe(3);
  });

  it('exits 2 when a run input does not fit the pipeline', async () => {
    const result = await cli('run', 'credit-risk:v1', '--input', '{"age": "old"}');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('inputs[0].age');
  });

  it('exits 4 with a hint when the token is wrong', async () => {
    const result = await cli('--token', 'not-the-token', 'alias', 'set', 'credit-risk@staging', 'v1');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('hint: pass --token or set SLIPWAY_TOKEN');
  });
});
