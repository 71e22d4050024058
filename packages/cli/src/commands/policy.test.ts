/**
 * The governance commands against a real server started in-process (examples deployed, so
 * the default Regulation B policy has the credit model to block): policy ls/apply/show/
 * history/check, approve, report in every format, and keys rotate on a data directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, openArtifactStore, resolveServerConfig, startServer } from '@slipway/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/capture-io.js';
import { reportFormat } from './report.js';

const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));
let dir: string;
let server: RunningServer;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { env, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-policy-cli-'));
  const dataDir = join(dir, 'data');
  server = await startServer(resolveServerConfig({ port: 0, dataDir, examplesDir: examples, logLevel: 'silent', workerThreads: 1 }, {}));
  env = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('slipway policy / approve / report', () => {
  it('lists the default policy, checks a version (exit 4 when blocked), applies a policy, approves and reports', async () => {
    const ls = await cli('policy', 'ls');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^POLICY\s+VERSION\s+ENVIRONMENTS\s+RULES/);
    expect(ls.stdout).toMatch(/regulation-b\s+v1\s+production\s+prohibitedFeatures\s+system/);

    const check = await cli('policy', 'check', 'credit-risk:v1', '--env', 'production');
    expect(check.code).toBe(4);
    expect(check.stdout).toContain('credit-risk:v1 → production: BLOCKED (regulation-b@v1)');
    expect(check.stdout).toContain('  FAIL  regulation-b prohibited-features: uses prohibited features: age (age), sex (sex), marital_status (marital status)');
    expect(check.stdout).toMatch(/ {8}fix: retrain without these features/);
    expect(check.stderr).toBe('error: credit-risk:v1 is blocked from production\n');
    const staging = await cli('policy', 'check', 'credit-risk:v1', '--env', 'staging', '--json');
    expect(staging.code).toBe(0);
    expect(JSON.parse(staging.stdout)).toMatchObject({ ref: 'credit-risk:v1', environments: [{ environment: 'staging', passed: true, policies: [] }] });

    await writeFile(join(dir, 'four-eyes.yaml'), 'name: four-eyes\nenvironments: [production]\nrules:\n  approvals: { required: 1 }\n');
    expect(await cli('policy', 'apply', '-f', 'four-eyes.yaml')).toEqual({ code: 0, stdout: 'four-eyes v1 applied\n', stderr: '' });
    expect((await cli('policy', 'apply', '-f', 'four-eyes.yaml')).stdout).toBe('four-eyes v1 unchanged\n');
    expect((await cli('policy', 'show', 'four-eyes')).stdout).toMatch(/^# four-eyes v1, applied by admin at .*\nname: four-eyes\n/);
    expect((await cli('policy', 'history', 'four-eyes')).stdout.split('\n')[1]).toMatch(/^four-eyes\s+v1\s+production\s+approvals\s+admin/);

    await writeFile(join(dir, 'bad.yaml'), 'name: Bad\nenvironments: []\nrules: {}\n');
    const bad = await cli('policy', 'apply', '-f', 'bad.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/policy.name: .*; policy.environments: .*; policy.rules: must have at least one/);
    expect((await cli('policy', 'apply', '-f', 'missing.yaml')).stderr).toMatch(/file: cannot read missing.yaml \(ENOENT\)/);
    expect((await cli('policy', 'show', 'nope')).code).toBe(3);

    // The examples were pushed by "system": the admin may approve them.
    expect(await cli('approve', 'credit-risk:v1', '--comment', 'reviewed')).toEqual({ code: 0, stdout: 'credit-risk:v1 approved by admin\n', stderr: '' });
    expect((await cli('approve', 'credit-risk:v1')).stdout).toBe('credit-risk:v1 approved by admin (already)\n');

    expect(await cli('report', 'credit-risk:v1', '-o', 'report.html')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^credit-risk:v1: html report written to report.html \(\d+ bytes\)\n$/) as unknown });
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    for (const text of ['BLOCKED', 'reviewed', 'prohibited-features', '@staging']) expect(html).toContain(text);
    const json = await cli('report', 'credit-risk:v1');
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'slipway.compliance-report', approvals: [{ approver: 'admin', comment: 'reviewed' }] });
    expect((await cli('report', 'credit-risk:v1', '-o', 'report.docx')).stderr).toMatch(/output: cannot tell the format from "report.docx"/);
    const noDeployment = await cli('report', 'credit-risk', '--deployment', 'production');
    expect(noDeployment.code).toBe(3);
    expect(noDeployment.stderr).toMatch(/no deployment of "credit-risk" in environment "production"/);
  });
});

describe('reportFormat', () => {
  it.each([
    [undefined, undefined, 'json'],
    ['r.html', undefined, 'html'],
    ['r.HTM', undefined, 'html'],
    ['r.pdf', undefined, 'pdf'],
    ['r.json', undefined, 'json'],
    ['r.txt', 'pdf', 'pdf'],
  ])('%s with --format %s → %s', (output, format, expected) => {
    expect(reportFormat(output, format)).toBe(expected);
  });

  it('refuses an unknown format', () => {
    expect(() => reportFormat('r.html', 'docx')).toThrow(/format: "docx" is not one of json, html, pdf/);
  });
});

describe('slipway keys rotate', () => {
  it('encrypts plaintext artifacts, then re-wraps them under a new key', async () => {
    const dataDir = join(dir, 'rotate');
    const model = await readFile(join(examples, 'sensor-mlp', 'model.onnx'));
    await openArtifactStore(dataDir, undefined).put(model);
    const first = randomBytes(32).toString('base64');
    const second = randomBytes(32).toString('base64');
    await writeFile(join(dir, 'k1'), first);
    await writeFile(join(dir, 'k2'), second);

    const encrypted = await cli('keys', 'rotate', '--data-dir', 'rotate', '--new-key-file', 'k1', '--json');
    expect(encrypted.code).toBe(0);
    expect(JSON.parse(encrypted.stdout)).toMatchObject({ artifacts: { encrypted: 1, rewrapped: 0, unchanged: 0 }, secrets: 0 });
    const files = await readdir(join(dataDir, 'artifacts'), { recursive: true, withFileTypes: true });
    const file = files.find((f) => f.isFile())!;
    const onDisk = await readFile(join(file.parentPath, file.name));
    expect(onDisk.includes(model.subarray(100, 164))).toBe(false);

    const rotated = await runCli(['keys', 'rotate', '--data-dir', 'rotate', '--new-key-file', 'k2'], { env: { SLIPWAY_MASTER_KEY: first }, cwd: dir });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^artifacts now under master key mk-[0-9a-f]{16}: 1 re-wrapped, 0 encrypted, 0 already under it; 0 secrets re-sealed\n/);
    const wrongOld = await cli('keys', 'rotate', '--data-dir', 'rotate', '--new-key-file', 'k1', '--old-key-file', 'k1');
    expect(wrongOld.code).toBe(1);
    expect(wrongOld.stderr).toMatch(/sealed under master key mk-[0-9a-f]{16}, which was not given as the old key/);
    await writeFile(join(dir, 'k3'), 'not a key');
    expect((await cli('keys', 'rotate', '--data-dir', 'rotate', '--new-key-file', 'k3')).stderr).toMatch(/new-key-file: must be 32 random bytes in base64/);
  });
});
