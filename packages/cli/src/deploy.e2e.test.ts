/**
 * `slipway deploy | deployments | environments | rollout | undeploy` against a real server
 * started in-process: what a CI job sees, exit codes included (`deploy --wait` fails on
 * validation, policy and health).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeploymentsResponse } from '@slipway/core';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './testing/capture-io.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

let dir: string;
let server: RunningServer;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { env, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-deploy-e2e-'));
  const dataDir = join(dir, 'data');
  server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent', modelMemory: '256MiB', workerThreads: 1 }, {}));
  env = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
  await cp(join(examples, 'credit-risk'), join(dir, 'credit-risk'), { recursive: true });
  expect((await cli('push', 'credit-risk')).stdout).toBe('credit-risk:v1\n');
  expect((await cli('push', 'credit-risk', '--metric', 'auc=0.91')).stdout).toBe('credit-risk:v2\n');
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('slipway deploy', () => {
  it('deploys and waits until it serves', async () => {
    const done = await cli('deploy', 'credit-risk:v1', '--env', 'staging', '--min', '1', '--max', '2', '--wait');
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('credit-risk in staging: v1 → v1, ready, replicas 1/1 (min 1, max 2)\n');
  });

  it.each<[string, string[], number, RegExp]>([
    ['validation: min > max', ['credit-risk:v1', '--env', 'staging', '--min', '3', '--max', '2', '--wait'], 2, /scaling\.max: \(2\) must be ≥ scaling\.min \(3\)/],
    ['validation: an unknown environment', ['credit-risk:v1', '--env', 'qa', '--wait'], 2, /environment: unknown environment "qa"/],
    ['policy: Regulation B keeps credit-risk out of production', ['credit-risk:v1', '--env', 'production', '--wait'], 4, /may not serve "production"/],
    ['health: a GPU deployment on a machine without one', ['credit-risk:v1', '--env', 'dev', '--gpu', '--wait', '--timeout', '10s'], 5, /unschedulable: needs gpu, none available/],
  ])('exits non-zero on %s', async (_, args, code, message) => {
    const result = await cli('deploy', ...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it('lists deployments, runs a rollout, and undeploys', async () => {
    const listed = JSON.parse((await cli('--json', 'deployments', 'ls')).stdout) as DeploymentsResponse;
    expect(listed.deployments.map((d) => [d.environment, d.state])).toStrictEqual([
      ['dev', 'unschedulable'],
      ['staging', 'ready'],
    ]);
    const table = (await cli('deployments', 'ls')).stdout.split('\n');
    expect(table[0]).toMatch(/^PIPELINE\s+ENV\s+TARGET\s+VERSION\s+STATE\s+REPLICAS\s+ROLLOUT$/);

    const started = await cli('rollout', 'start', 'credit-risk:v2', '--env', 'staging', '--steps', '10,100', '--interval', '10m');
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/canary of v2 at 10%/);
    const status = await cli('rollout', 'status', 'credit-risk', '--env', 'staging');
    expect(status.stdout.split('\n')[0]).toBe('canary of v2 over v1: running, 10% to the candidate');
    expect((await cli('rollout', 'start', 'credit-risk:v2', '--env', 'staging')).code).toBe(6);
    expect((await cli('rollout', 'abort', 'credit-risk', '--env', 'staging')).code).toBe(0);
    expect((await cli('rollout', 'status', 'credit-risk', '--env', 'staging')).stdout).toMatch(/^canary of v2 over v1: aborted, 0% to the candidate — aborted by hand/);

    expect(await cli('environments', 'create', 'eu-canary')).toEqual({ code: 0, stdout: 'environment eu-canary created\n', stderr: '' });
    expect((await cli('environments', 'ls')).stdout).toMatch(/eu-canary\s+no/);

    expect(await cli('undeploy', 'credit-risk', '--env', 'dev')).toEqual({ code: 0, stdout: 'credit-risk undeployed from dev\n', stderr: '' });
    expect((await cli('undeploy', 'credit-risk', '--env', 'dev')).code).toBe(3);
  });
});
