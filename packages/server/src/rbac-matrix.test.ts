/**
 * The RBAC matrix: every mutating route (read from `createApp().routes`, so a route added
 * later without an entry here fails the first test) × every role. A role the permission
 * table allows gets a 2xx; any other gets 403 naming the missing permission. Each role
 * acts on its own objects, made by the admin beforehand, so the cells do not interfere.
 */
import { PERMISSIONS, type Permission, ROLES, ROLE_PERMISSIONS, type Role } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, auth, classifierPackage, CLASSIFIER_MANIFEST, createTestApp, push } from './testing/fixtures.js';
import { type MemberToken, memberToken } from './testing/identities.js';

type Method = 'POST' | 'PUT' | 'DELETE' | 'PATCH';
interface Call {
  url: string;
  payload?: object | Buffer;
  headers?: Record<string, string>;
}
interface Entry {
  /** The permission the route needs; `own` for what any valid token may do to itself. */
  permission: Permission | 'own';
  /** Builds a request that succeeds for an allowed role; runs the admin's setup for this role first. */
  call: (role: Role, i: number) => Call | Promise<Call>;
}

let t: TestApp;
const tokens = new Map<Role, MemberToken>();
const admin = async (method: Method | 'GET', url: string, payload?: object) => {
  const res = await t.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload }) });
  if (res.statusCode >= 300) throw new Error(`setup ${method} ${url} → ${res.statusCode} ${res.body}`);
  return res.json<Record<string, unknown>>();
};
const record = { income: 1, owner: true, score: 2 };
const infer = { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 0, 1] }] };
/** A rule that fires on every evaluation, so incidents exist to act on. */
const ALWAYS_FIRING = { name: 'always', pipeline: 'tiny', metric: 'request_rate', threshold: { op: '>', value: 0 }, window: '1m' };
const channel = (name: string) => ({ kind: 'slack', name, url: 'https://hooks.example.com/slipway' });
/** An open incident's id: traffic recorded for this minute, the rule on any traffic evaluated, then the newest incident not resolved. */
let firing = 0;
async function openIncident(): Promise<string> {
  // A rule of a new name fires a new alert, which opens an incident when none is open.
  firing += 1;
  await admin('PUT', '/v1/alerts/rules', { rules: [{ ...ALWAYS_FIRING, name: `always-${firing}` }] });
  const start = Math.floor(Date.now() / 60_000) * 60_000;
  await t.store.appendOpsWindows([{ pipeline: 'tiny', version: 1, start, requests: 10, errors: {}, latencyHistogram: {}, latencySum: 10, queueCount: 0, queueHistogram: {}, queueSum: 0 }]);
  const report = await admin('POST', '/v1/alerts/evaluate');
  const { incidents } = (await admin('GET', '/v1/incidents')) as { incidents: { id: string; state: string }[] };
  const open = incidents.find((i) => i.state !== 'resolved');
  if (open === undefined) throw new Error(`no open incident after evaluating an always-firing rule: ${JSON.stringify(report)}`);
  return open.id;
}
const manifestNamed = (name: string) => CLASSIFIER_MANIFEST.replace('name: tiny', `name: ${name}`);

const MATRIX: Record<string, Entry> = {
  // Governance
  'POST /v1/users': { permission: 'administer', call: (r) => ({ url: '/v1/users', payload: { name: `new-${r}` } }) },
  'DELETE /v1/users/:name': { permission: 'administer', call: async (r) => (await admin('POST', '/v1/users', { name: `old-${r}` }), { url: `/v1/users/old-${r}` }) },
  'POST /v1/service-accounts': { permission: 'administer', call: (r) => ({ url: '/v1/service-accounts', payload: { name: `bot-${r}` } }) },
  'DELETE /v1/service-accounts/:name': { permission: 'administer', call: async (r) => (await admin('POST', '/v1/service-accounts', { name: `oldbot-${r}` }), { url: `/v1/service-accounts/oldbot-${r}` }) },
  'POST /v1/projects': { permission: 'administer', call: (r) => ({ url: '/v1/projects', payload: { name: `proj-${r}` } }) },
  'DELETE /v1/projects/:name': { permission: 'administer', call: async (r) => (await admin('POST', '/v1/projects', { name: `gone-${r}` }), { url: `/v1/projects/gone-${r}` }) },
  'PUT /v1/projects/:name/members/:identity': { permission: 'administer', call: async (r) => (await admin('POST', '/v1/users', { name: `join-${r}` }), { url: `/v1/projects/default/members/join-${r}`, payload: { role: 'viewer' } }) },
  'DELETE /v1/projects/:name/members/:identity': {
    permission: 'administer',
    call: async (r) => (await admin('POST', '/v1/users', { name: `leave-${r}` }), await admin('PUT', `/v1/projects/default/members/leave-${r}`, { role: 'viewer' }), { url: `/v1/projects/default/members/leave-${r}` }),
  },
  'POST /v1/tokens': { permission: 'own', call: () => ({ url: '/v1/tokens', payload: { name: 'second' } }) },
  'DELETE /v1/tokens/:id': {
    permission: 'own',
    call: async (r) => {
      const created = await t.app.inject({ method: 'POST', url: '/v1/tokens', headers: tokens.get(r)!.headers, payload: { name: 'to-revoke' } });
      return { url: `/v1/tokens/${created.json<{ id: string }>().id}` };
    },
  },
  'POST /v1/audit/verify': { permission: 'administer', call: () => ({ url: '/v1/audit/verify' }) },
  // Inference and runs
  'POST /v2/models/:m/infer': { permission: 'run', call: () => ({ url: '/v2/models/tiny/infer', payload: infer }) },
  'POST /v2/models/:m/versions/:v/infer': { permission: 'run', call: () => ({ url: '/v2/models/tiny/versions/1/infer', payload: infer }) },
  'POST /v1/runs': { permission: 'run', call: () => ({ url: '/v1/runs', payload: { pipeline: 'tiny', inputs: record } }) },
  'DELETE /v1/runs/:id': {
    permission: 'run',
    call: async () => {
      // The admin's async run; the role cancels it (its project is the role's too).
      const run = await admin('POST', '/v1/runs', { pipeline: 'tiny', inputs: record, mode: 'async' });
      return { url: `/v1/runs/${String(run.id)}` };
    },
  },
  // Registry and serving
  'POST /v1/pipelines': { permission: 'push', call: async (r) => ({ url: '/v1/pipelines', payload: await classifierPackage(manifestNamed(`pushed-${r}`)), headers: { 'content-type': 'application/x-tar' } }) },
  'PUT /v1/pipelines/:name/aliases/:alias': { permission: 'promote', call: (r) => ({ url: `/v1/pipelines/tiny/aliases/${r.replace('-', '')}`, payload: { version: 1 } }) },
  'POST /v1/pipelines/:name/warmup': { permission: 'deploy', call: () => ({ url: '/v1/pipelines/tiny/warmup', payload: { durationSeconds: 1 } }) },
  'POST /v1/pipelines/:name/cooldown': { permission: 'deploy', call: () => ({ url: '/v1/pipelines/tiny/cooldown', payload: {} }) },
  // Deployments
  'POST /v1/environments': { permission: 'deploy', call: (r) => ({ url: '/v1/environments', payload: { name: `env-${r}` } }) },
  'POST /v1/deployments': { permission: 'deploy', call: async (r) => (await admin('POST', '/v1/environments', { name: `dep-${r}` }), { url: '/v1/deployments', payload: { pipeline: 'tiny', environment: `dep-${r}`, target: 'v1' } }) },
  'DELETE /v1/deployments/:pipeline/:environment': {
    permission: 'deploy',
    call: async (r) => (await admin('POST', '/v1/environments', { name: `undep-${r}` }), await admin('POST', '/v1/deployments', { pipeline: 'tiny', environment: `undep-${r}`, target: 'v1' }), { url: `/v1/deployments/tiny/undep-${r}` }),
  },
  'POST /v1/deployments/:pipeline/:environment/rollout': {
    permission: 'deploy',
    call: async (r) => (await admin('POST', '/v1/environments', { name: `roll-${r}` }), await admin('POST', '/v1/deployments', { pipeline: 'tiny', environment: `roll-${r}`, target: 'v1' }), { url: `/v1/deployments/tiny/roll-${r}/rollout`, payload: { candidate: 2 } }),
  },
  'POST /v1/deployments/:pipeline/:environment/rollout/promote': {
    permission: 'deploy',
    call: async (r) => {
      await admin('POST', '/v1/environments', { name: `prom-${r}` });
      await admin('POST', '/v1/deployments', { pipeline: 'tiny', environment: `prom-${r}`, target: 'v1' });
      await admin('POST', `/v1/deployments/tiny/prom-${r}/rollout`, { candidate: 2 });
      return { url: `/v1/deployments/tiny/prom-${r}/rollout/promote` };
    },
  },
  'POST /v1/deployments/:pipeline/:environment/rollout/abort': {
    permission: 'deploy',
    call: async (r) => {
      await admin('POST', '/v1/environments', { name: `abort-${r}` });
      await admin('POST', '/v1/deployments', { pipeline: 'tiny', environment: `abort-${r}`, target: 'v1' });
      await admin('POST', `/v1/deployments/tiny/abort-${r}/rollout`, { candidate: 2 });
      return { url: `/v1/deployments/tiny/abort-${r}/rollout/abort` };
    },
  },
  // Monitoring
  'POST /v1/pipelines/:name/profile': { permission: 'push', call: () => ({ url: '/v1/pipelines/tiny/profile', payload: { csv: 'income,owner,score\n1,true,2\n2,false,3\n3,true,1\n' } }) },
  'POST /v1/feedback': {
    permission: 'feedback',
    call: async () => {
      const run = await admin('POST', '/v1/runs', { pipeline: 'tiny', inputs: record });
      return { url: '/v1/feedback', payload: { runId: String(run.id), label: 'repaid' } };
    },
  },
  'POST /v1/kpis': { permission: 'feedback', call: () => ({ url: '/v1/kpis', payload: { name: 'revenue', value: 1, pipeline: 'tiny' } }) },
  // Policies and approvals
  'PUT /v1/policies/:name': { permission: 'administer', call: (r) => ({ url: `/v1/policies/p-${r}`, payload: { source: `name: p-${r}\nenvironments: [nowhere]\nrules:\n  approvals: { required: 1 }\n` } }) },
  'POST /v1/policies/exceptions': { permission: 'administer', call: () => ({ url: '/v1/policies/exceptions', payload: { pipeline: 'tiny', feature: 'age', legalBasis: 'capacity to contract' } }) },
  'POST /v1/policies/exceptions/:id/approve': {
    permission: 'approve',
    call: async () => {
      const proposed = await admin('POST', '/v1/policies/exceptions', { pipeline: 'tiny', feature: 'age', legalBasis: 'capacity to contract' });
      return { url: `/v1/policies/exceptions/${String(proposed.id)}/approve` };
    },
  },
  'POST /v1/versions/:ref/approvals': { permission: 'approve', call: () => ({ url: '/v1/versions/tiny:v2/approvals', payload: { comment: 'looks fine' } }) },
  // Alerts and incidents
  'POST /v1/alerts/evaluate': { permission: 'operate', call: () => ({ url: '/v1/alerts/evaluate' }) },
  'PUT /v1/alerts/rules': { permission: 'operate', call: () => ({ url: '/v1/alerts/rules', payload: { rules: [ALWAYS_FIRING] } }) },
  'DELETE /v1/alerts/rules/:pipeline/:name': {
    permission: 'operate',
    call: async (r) => (await admin('PUT', '/v1/alerts/rules', { rules: [ALWAYS_FIRING, { ...ALWAYS_FIRING, name: `gone-${r}` }] }), { url: `/v1/alerts/rules/tiny/gone-${r}` }),
  },
  'POST /v1/alerts/channels': { permission: 'operate', call: (r) => ({ url: '/v1/alerts/channels', payload: channel(r) }) },
  'DELETE /v1/alerts/channels/:id': { permission: 'operate', call: async (r) => ({ url: `/v1/alerts/channels/${String((await admin('POST', '/v1/alerts/channels', channel(`del-${r}`))).id)}` }) },
  'POST /v1/alerts/channels/:id/test': { permission: 'operate', call: async (r) => ({ url: `/v1/alerts/channels/${String((await admin('POST', '/v1/alerts/channels', channel(`test-${r}`))).id)}/test` }) },
  'PUT /v1/incidents/classification': { permission: 'operate', call: () => ({ url: '/v1/incidents/classification', payload: { rules: [] } }) },
  'POST /v1/incidents/:id/ack': { permission: 'operate', call: async () => ({ url: `/v1/incidents/${await openIncident()}/ack`, payload: {} }) },
  'POST /v1/incidents/:id/resolve': { permission: 'operate', call: async () => ({ url: `/v1/incidents/${await openIncident()}/resolve`, payload: {} }) },
  'POST /v1/incidents/:id/notes': { permission: 'operate', call: async () => ({ url: `/v1/incidents/${await openIncident()}/notes`, payload: { text: 'looking' } }) },
  'POST /v1/incidents/:id/assign': { permission: 'operate', call: async () => ({ url: `/v1/incidents/${await openIncident()}/assign`, payload: { owner: 'oncall' } }) },
};

/** The permission a 403 names: in `details` (management API), or in the message (OIP errors are a bare string, as that spec says). */
function permissionNamed(body: { error: string | { details?: { permission?: string } } }): string | undefined {
  if (typeof body.error === 'string') return /lacks the "(\w+)" permission/.exec(body.error)?.[1];
  return body.error.details?.permission;
}

const allowed = (role: Role, permission: Permission | 'own') => permission === 'own' || ROLE_PERMISSIONS[role].includes(permission);

beforeAll(async () => {
  t = await createTestApp();
  expect((await push(t, await classifierPackage())).statusCode).toBe(201);
  expect((await push(t, await classifierPackage(CLASSIFIER_MANIFEST.replace('a tiny', 'a second tiny')))).statusCode).toBe(201);
  for (const role of ROLES) tokens.set(role, await memberToken(t, role, { name: `matrix-${role}` }));
});
afterAll(() => t.cleanup());

const mutating = () => t.routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)).map((r) => `${r.method} ${r.url}`);

describe('RBAC matrix', () => {
  it('has an entry for every mutating route (add one here for a new route)', () => {
    expect(mutating().filter((key) => MATRIX[key] === undefined).join('\n')).toBe('');
    expect(Object.keys(MATRIX).filter((key) => !mutating().includes(key))).toEqual([]);
  });

  it('names only real permissions', () => {
    for (const entry of Object.values(MATRIX)) expect([...PERMISSIONS, 'own']).toContain(entry.permission);
  });

  for (const [key, entry] of Object.entries(MATRIX)) {
    const [method, route] = key.split(' ') as [Method, string];
    it(`${key} (${entry.permission})`, async () => {
      if (!mutating().includes(key)) return;
      const cells: string[] = [];
      for (const [i, role] of ROLES.entries()) {
        const call = await entry.call(role, i);
        const payload = call.payload;
        const res = await t.app.inject({ method, url: call.url, headers: { ...tokens.get(role)!.headers, ...call.headers }, ...(payload === undefined ? {} : { payload }) });
        const ok = allowed(role, entry.permission);
        const permission = res.statusCode === 403 ? permissionNamed(res.json()) : undefined;
        const pass = ok ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === 403 && permission === entry.permission;
        if (!pass) cells.push(`${role}: expected ${ok ? '2xx' : `403 naming "${entry.permission}"`}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      expect(cells, `${route}`).toEqual([]);
    });
  }
});
