/**
 * End to end for async and streaming runs and the CI gate: the real server on a free
 * port, driven through `main` as a CI job would (`push --promote --wait-healthy`, then
 * `run --async --wait`, `run --stream`, `runs ls|get|cancel`).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord, RunStreamEvent } from '@slipway/core';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_RISK_EXAMPLE_RECORD } from './commands/server.js';
import { runCli } from './testing/capture-io.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

let dir: string;
let server: RunningServer;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { env, cwd: dir });
const record = JSON.stringify(CREDIT_RISK_EXAMPLE_RECORD);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-runs-e2e-'));
  const dataDir = join(dir, 'data');
  server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent', modelMemory: '256MiB', workerThreads: 1 }, {}));
  env = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
  await cp(join(examples, 'credit-risk'), join(dir, 'credit-risk'), { recursive: true });
  await cp(join(examples, 'sensor-mlp'), join(dir, 'sensor-mlp'), { recursive: true });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('slipway push --promote --wait-healthy', () => {
  it('pushes, moves the alias and waits until the version answers', async () => {
    const result = await cli('push', 'credit-risk', '--promote', 'staging', '--wait-healthy');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('credit-risk:v1');
    expect(lines[1]).toBe('credit-risk@staging → v1');
    expect(lines[2]).toMatch(/^credit-risk:v1 healthy \(loaded and answering after \d+\.\d s\)$/);
    const json = JSON.parse((await cli('push', 'credit-risk', '--promote', 'staging', '--wait-healthy', '--json')).stdout) as { ref: string; promoted: { version: number }; health: { healthy: boolean } };
    expect(json).toMatchObject({ ref: 'credit-risk:v1', promoted: { version: 1 }, health: { healthy: true, version: 1 } });
  });

  it('exits non-zero with the reason when validation or promotion fails', async () => {
    const missing = await cli('push', 'nowhere', '--promote', 'staging', '--wait-healthy');
    expect(missing.code).toBe(2);
    const badAlias = await cli('push', 'sensor-mlp', '--promote', 'Not An Alias', '--wait-healthy');
    expect(badAlias.code).not.toBe(0);
    expect(badAlias.stderr).toMatch(/^error: pushed sensor-mlp:v1, but .*alias/);
    expect((await cli('push', 'credit-risk', '--health-timeout', '0')).code).toBe(2);
  });
});

describe('slipway run --async / --stream and slipway runs', () => {
  it('queues a run, waits for it, shows and lists it, and refuses to cancel it once finished', async () => {
    const waited = await cli('run', 'credit-risk@staging', '--input', record, '--async', '--wait', '--json');
    expect(waited.code).toBe(0);
    const run = JSON.parse(waited.stdout) as RunRecord;
    expect(run).toMatchObject({ state: 'completed', version: 1, mode: 'async', ref: 'credit-risk@staging' });

    const queued = await cli('run', 'credit-risk@staging', '--input', record, '--async');
    expect(queued.stdout).toMatch(/^[0-9a-f-]{36} queued\n$/);

    const shown = await cli('runs', 'get', run.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^run\\s+${run.id}\\nstate\\s+completed\\npipeline\\s+credit-risk@staging → credit-risk:v1\\n`));
    expect(shown.stdout).toMatch(/compute\s+\d+\.\d ms/);

    const listed = await cli('runs', 'ls', '--pipeline', 'credit-risk', '--limit', '5');
    expect(listed.stdout.split('\n')[0]).toMatch(/^RUN\s+STATE\s+PIPELINE\s+VERSION\s+MODE\s+ENQUEUED\s+ERROR$/);
    expect(listed.stdout).toContain(run.id);

    const cancel = await cli('runs', 'cancel', run.id);
    expect(cancel.code).toBe(6);
    expect(cancel.stderr).toContain(`run "${run.id}" is already completed; only queued or running runs can be cancelled`);
    expect((await cli('runs', 'get', 'no-such-run')).code).toBe(3);
    expect((await cli('runs', 'ls', '--state', 'finished')).code).toBe(2);
  });

  it('streams one line per record, or JSON lines with --json', async () => {
    const two = JSON.stringify([CREDIT_RISK_EXAMPLE_RECORD, { ...CREDIT_RISK_EXAMPLE_RECORD, late_payments_2y: 6 }]);
    const streamed = await cli('run', 'credit-risk@staging', '--input', two, '--stream');
    expect(streamed.code).toBe(0);
    const lines = streamed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^record 0: (repaid|default)$/);
    expect(lines[1]).toMatch(/^record 1: (repaid|default)$/);
    expect(lines[2]).toMatch(/^[0-9a-f-]{36} completed \(credit-risk:v1\)$/);
    const json = await cli('run', 'credit-risk@staging', '--input', two, '--stream', '--json');
    const events = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as RunStreamEvent);
    expect(events.map((e) => e.event)).toEqual(['output', 'output', 'done']);
  });

  it('exits 2 naming the flags that do not go together', async () => {
    const result = await cli('run', 'credit-risk@staging', '--input', record, '--callback', 'https://example.com/h', '--stream', '--async');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--stream: cannot be combined with --async/);
    const wait = await cli('run', 'credit-risk@staging', '--input', record, '--wait');
    expect(wait.stderr).toMatch(/--wait: needs --async/);
    const refused = await cli('run', 'credit-risk@staging', '--input', record, '--async', '--callback', 'http://127.0.0.1:9/hook');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/callbackUrl: resolves to 127\.0\.0\.1/);
  });
});
