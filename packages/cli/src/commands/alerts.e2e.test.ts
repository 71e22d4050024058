/**
 * `slipway alerts …` and `slipway incidents …` against a real server started in-process.
 * Traffic is written straight into the server's SQLite file (a second connection), so a
 * rule fires on the next evaluation without waiting for the prediction log's timers.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertRecord, IncidentView } from '@slipway/core';
import { type RunningServer, resolveServerConfig, startServer } from '@slipway/server';
import { createClient } from '@slipway/sdk';
import { createSqliteMetadataStore } from '@slipway/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/capture-io.js';

const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));

let dir: string;
let dataDir: string;
let server: RunningServer;
let env: NodeJS.ProcessEnv;
const cli = (...args: string[]) => runCli(args, { env, cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-alerts-cli-'));
  dataDir = join(dir, 'data');
  server = await startServer(resolveServerConfig({ port: 0, dataDir, examples: false, logLevel: 'silent', modelMemory: '256MiB', workerThreads: 1 }, {}));
  env = { SLIPWAY_SERVER: server.url, SLIPWAY_DATA_DIR: dataDir };
  await cp(join(examples, 'credit-risk'), join(dir, 'credit-risk'), { recursive: true });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('slipway alerts and incidents', () => {
  let incidentId = '';

  it('rules: defaults after a push, apply -f, ls, rm', async () => {
    expect((await cli('push', 'credit-risk')).code).toBe(0);
    const ls = await cli('alerts', 'rules', 'ls', '--pipeline', 'credit-risk');
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n')[0]).toMatch(/^PIPELINE\s+RULE\s+SEVERITY\s+ORIGIN\s+CONDITION$/);
    expect(ls.stdout).toMatch(/credit-risk\s+error-rate\s+critical\s+default\s+error_rate > 0\.05 over 5m for 5m/);

    await writeFile(join(dir, 'rules.yaml'), 'rules:\n  - name: traffic\n    pipeline: credit-risk\n    metric: request_rate\n    threshold: { op: ">", value: 0 }\n    window: 1m\n    severity: info\n');
    expect(await cli('alerts', 'rules', 'apply', '-f', 'rules.yaml')).toEqual({ code: 0, stdout: 'applied credit-risk/traffic\n', stderr: '' });
    await writeFile(join(dir, 'bad.yaml'), 'rules:\n  - name: x\n    pipeline: credit-risk\n    metric: nope\n');
    const bad = await cli('alerts', 'rules', 'apply', '-f', 'bad.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rules\[0\]\.metric/);
    expect((await cli('alerts', 'rules', 'apply', '-f', 'missing.yaml')).stderr).toMatch(/--file: cannot read missing\.yaml: ENOENT/);
    expect(await cli('alerts', 'rules', 'rm', 'credit-risk', 'latency-p99')).toEqual({ code: 0, stdout: 'deleted credit-risk/latency-p99\n', stderr: '' });
    expect((await cli('alerts', 'rules', 'rm', 'credit-risk', 'latency-p99')).code).toBe(3);
  });

  it('evaluate → alerts ls → incidents ls/show/ack/note/resolve', async () => {
    const store = createSqliteMetadataStore({ path: join(dataDir, 'slipway.db') });
    try {
      await store.appendOpsWindows([{ pipeline: 'credit-risk', version: 1, start: Math.floor(Date.now() / 60_000) * 60_000, requests: 30, errors: {}, latencyHistogram: {}, latencySum: 30, queueCount: 0, queueHistogram: {}, queueSum: 0 }]);
    } finally {
      await store.close();
    }
    const evaluated = await cli('alerts', 'evaluate');
    expect(evaluated.stdout).toMatch(/^evaluated \d+ rule series: 1 fired, 0 resolved/);
    const alerts = JSON.parse((await cli('alerts', 'ls', '--state', 'firing', '--json')).stdout) as { alerts: AlertRecord[] };
    expect(alerts.alerts.map((a) => a.ruleName)).toEqual(['traffic']);
    incidentId = alerts.alerts[0]!.incidentId!;
    expect((await cli('alerts', 'ls')).stdout).toMatch(/firing\s+info\s+credit-risk\s+traffic\s+inc-/);

    const ls = await cli('incidents', 'ls', '--state', 'open');
    expect(ls.stdout).toContain(incidentId);
    expect(ls.stdout).toMatch(/open\s+info\s+credit-risk\s+technical_operations\s+–\s+1/);
    expect(await cli('incidents', 'ack', incidentId, '-m', 'looking')).toEqual({ code: 0, stdout: `${incidentId} acknowledged (owner admin)\n`, stderr: '' });
    expect((await cli('incidents', 'note', incidentId, 'load', 'test', 'traffic')).stdout).toMatch(new RegExp(`^noted on ${incidentId} \\(#\\d+\\)`));
    expect((await cli('incidents', 'resolve', incidentId)).stdout).toBe(`${incidentId} resolved (owner admin)\n`);
    const shown = await cli('incidents', 'show', incidentId);
    expect(shown.stdout).toMatch(/^incident\s+inc-\w+: credit-risk: traffic\nstate\s+resolved/);
    expect(shown.stdout).toContain('admin  load test traffic');
    const summary = await cli('incidents', 'show', incidentId, '--summary');
    expect(summary.stdout.split('\n').slice(0, 3)).toEqual(['credit-risk: traffic [info, resolved]', 'Pipeline: credit-risk', 'Experience areas: technical_operations']);
    const json = JSON.parse((await cli('incidents', 'show', incidentId, '--json')).stdout) as IncidentView;
    expect(json.incident.state).toBe('resolved');
    expect((await cli('incidents', 'ack', incidentId)).code).toBe(6);
    const unknown = await cli('incidents', 'show', 'inc-nope');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('slipway incidents ls');
    expect((await cli('incidents', 'ls', '--limit', '0')).code).toBe(2);
  });

  it('push --retrains --incident links the version to the incident', async () => {
    const pushed = await cli('push', 'credit-risk', '--retrains', 'credit-risk:v1', '--incident', incidentId, '--metric', 'accuracy=0.9', '--json');
    expect(pushed.code, pushed.stderr).toBe(0);
    expect((JSON.parse(pushed.stdout) as { version: { lineage: Record<string, unknown> } }).version.lineage).toMatchObject({ retrains: 'credit-risk:v1', incident: incidentId });
    const view = JSON.parse((await cli('incidents', 'show', incidentId, '--json')).stdout) as IncidentView;
    expect(view.timeline.find((e) => e.kind === 'version_pushed')?.message).toBe('credit-risk:v2 pushed to retrain credit-risk:v1');
    const refused = await cli('push', 'credit-risk', '--incident', 'inc-unknown', '--metric', 'accuracy=0.91');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('lineage.incident: no incident "inc-unknown"');
    const badRef = await cli('push', 'credit-risk', '--retrains', 'v1');
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain('must be a version reference such as credit-risk:v3');
  });

  it('SDK: channels (redacted), test delivery and its history, assign', async () => {
    const client = createClient({ server: server.url, token: server.newAdminToken }, {});
    const channel = await client.alerts.createChannel({ kind: 'webhook', name: 'sdk', url: 'http://127.0.0.1:9/hook?key=hidden', secret: 'whsec-0123456789abcdef' });
    expect(JSON.stringify(await client.alerts.channels())).not.toContain('hidden');
    expect(await client.alerts.testChannel(channel.id)).toMatchObject({ event: 'test', state: 'failed' });
    expect((await client.alerts.notifications(channel.id, 5)).map((n) => n.state)).toEqual(['failed']);
    await client.alerts.deleteChannel(channel.id);
    await expect(client.alerts.testChannel(channel.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await client.incidents.assign(incidentId, 'ana')).owner).toBe('ana');
  });
});
