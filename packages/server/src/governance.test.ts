import type { AuditEvent } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicRoute } from './access.js';
import { CLASSIFIER_MANIFEST, type TestApp, auth, classifierPackage, createTestApp, push } from './testing/fixtures.js';
import { memberToken } from './testing/identities.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect((await push(t, await classifierPackage())).statusCode).toBe(201);
});
afterAll(() => t.cleanup());

const get = (url: string, headers: Record<string, string> = auth) => t.app.inject({ url, headers });
const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload: object | undefined, headers: Record<string, string> = auth) =>
  t.app.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) });
const audit = async (query: string) => (await get(`/v1/audit?${query}`)).json<{ events: AuditEvent[] }>().events;
const tinyRecord = { income: 1, owner: true, score: 2 };

describe('no unauthenticated access', () => {
  it('answers 401 on every API route without a token, except the health probes and /metrics', async () => {
    const open: string[] = [];
    for (const r of t.routes) {
      const url = r.url.replace(/:\w+/g, 'x').replace(/\*/g, 'x');
      const res = await t.app.inject({ method: r.method as 'GET', url, ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }) });
      if (isPublicRoute(r.url, { publicMetrics: true })) continue;
      if (res.statusCode !== 401) open.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(open).toEqual([]);
    expect(t.routes.filter((r) => r.url.startsWith('/v1/')).length).toBeGreaterThan(20);
    expect((await t.app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/v2/health/ready' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
  });

  it('keeps /metrics behind a token when publicMetrics is off', async () => {
    const closed = await createTestApp({ governance: { publicMetrics: false } });
    try {
      expect((await closed.app.inject({ url: '/metrics' })).statusCode).toBe(401);
      expect((await closed.app.inject({ url: '/metrics', headers: auth })).statusCode).toBe(200);
    } finally {
      await closed.cleanup();
    }
  });
});

describe('refused tokens', () => {
  const cases: [string, string | undefined, RegExp, string][] = [
    ['missing', undefined, /needs a token/, 'missing'],
    ['forged', 'Bearer slw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /not valid/, 'unknown'],
    ['not bearer', `Basic ${Buffer.from('admin:admin').toString('base64')}`, /malformed/, 'malformed'],
    ['two values', 'Bearer abc def', /malformed/, 'malformed'],
    ['odd characters', 'Bearer abc<script>', /characters no token has/, 'malformed'],
    ['oversized', `Bearer ${'a'.repeat(5000)}`, /longer than 4096/, 'oversized'],
    ['empty bearer', 'Bearer ', /malformed/, 'malformed'],
  ];
  for (const [what, header, message, reason] of cases) {
    it(`refuses a ${what} token with 401 naming why, and audits it`, async () => {
      const res = await t.app.inject({ url: '/v1/pipelines', headers: header === undefined ? {} : { authorization: header } });
      expect(res.statusCode).toBe(401);
      const error = res.json<{ error: { code: string; message: string } }>().error;
      expect(error.code).toBe('unauthenticated');
      expect(error.message).toMatch(message);
      const [event] = await audit('actor=anonymous&limit=1');
      expect(event).toMatchObject({ action: 'auth.denied', outcome: 'denied', status: 401, requestId: res.json<{ error: { requestId: string } }>().error.requestId, details: { reason } });
    });
  }

  it('refuses an expired token, naming when it expired', async () => {
    const { name } = await memberToken(t, 'viewer');
    await t.store.createApiToken({ id: 'expired-1', name: 'old', hash: (await import('./identity.js')).hashToken('slw_expired_secret'), identity: name, role: null, scopes: null, project: null, createdAt: '2020-01-01T00:00:00.000Z', expiresAt: '2020-02-01T00:00:00.000Z', revokedAt: null, lastUsedAt: null });
    const res = await get('/v1/pipelines', { authorization: 'Bearer slw_expired_secret' });
    expect(res.statusCode).toBe(401);
    expect(res.body).toMatch(/expired at 2020-02-01T00:00:00.000Z/);
  });

  it('refuses a revoked token at once, and the owner may revoke their own', async () => {
    const member = await memberToken(t, 'data-scientist');
    const me = (await get('/v1/whoami', member.headers)).json<{ tokenId: string; name: string }>();
    expect(me.name).toBe(member.name);
    expect((await get('/v1/pipelines', member.headers)).statusCode).toBe(200);
    const revoked = await send('DELETE', `/v1/tokens/${me.tokenId}`, undefined, member.headers);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    const after = await get('/v1/pipelines', member.headers);
    expect(after.statusCode).toBe(401);
    expect(after.body).toMatch(/was revoked/);
  });
});

describe('tokens', () => {
  it('shows the secret once, stores only its hash, lists without it, and records last use', async () => {
    await send('POST', '/v1/users', { name: 'carol' });
    await send('PUT', '/v1/projects/default/members/carol', { role: 'data-scientist' });
    const created = await send('POST', '/v1/tokens', { name: 'laptop', identity: 'carol', scopes: ['read', 'run'], expiresInDays: 7 });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ token: string; id: string; scopes: string[]; expiresAt: string; hash?: string }>();
    expect(body.token).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);
    expect(body.hash).toBeUndefined();
    expect(body.scopes).toEqual(['read', 'run']);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const stored = await t.store.getApiToken(body.id);
    expect(stored?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(body.token);

    const carol = { authorization: `Bearer ${body.token}` };
    expect((await get('/v1/pipelines', carol)).statusCode).toBe(200);
    const listed = async () => (await get('/v1/tokens', carol)).json<{ tokens: { id: string; lastUsedAt: string | null; token?: string }[] }>().tokens;
    await expect.poll(async () => (await listed()).find((x) => x.id === body.id)?.lastUsedAt).not.toBeNull();
    expect((await listed()).every((x) => x.token === undefined)).toBe(true);
    // Scoped to read and run: pushing is refused even though carol's role could.
    const pushed = await push(t, await classifierPackage(CLASSIFIER_MANIFEST.replace('name: tiny', 'name: carols')), carol);
    expect(pushed.statusCode).toBe(403);
    expect(pushed.json<{ error: { details: { permission: string } } }>().error.details.permission).toBe('push');
  });

  it('refuses bad token requests naming the field', async () => {
    const bad = await send('POST', '/v1/tokens', { name: '', scopes: ['fly'], expiresInDays: 0, extra: 1 });
    expect(bad.statusCode).toBe(400);
    const message = bad.json<{ error: { message: string } }>().error.message;
    for (const field of ['name', 'scopes[0]', 'expiresInDays', 'extra']) expect(message).toContain(field);
    const noIdentity = await send('POST', '/v1/tokens', { name: 'x' });
    expect(noIdentity.statusCode).toBe(400);
    expect(noIdentity.body).toMatch(/identity: required/);
    expect((await send('POST', '/v1/tokens', { name: 'x', identity: 'nobody' })).statusCode).toBe(404);
    expect((await send('POST', '/v1/users', { name: 'Not Valid!' })).statusCode).toBe(400);
    expect((await send('PUT', '/v1/projects/default/members/carol', { role: 'king' })).body).toMatch(/role/);
  });

  it('keeps the request size limit on governance routes', async () => {
    const huge = await send('POST', '/v1/tokens', { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect((await get('/v2/health/live')).statusCode).toBe(200);
  });
});

describe('privilege escalation', () => {
  it('refuses a data scientist minting wider tokens, joining projects, editing policies or others, and audits each', async () => {
    const ds = await memberToken(t, 'data-scientist', { project: 'risk' });
    const attempts: [string, Promise<{ statusCode: number; body: string }>][] = [
      ['token with administer', send('POST', '/v1/tokens', { name: 'x', scopes: ['administer'] }, ds.headers)],
      ['token for someone else', send('POST', '/v1/tokens', { name: 'x', identity: 'carol' }, ds.headers)],
      ['admin role for themselves', send('PUT', `/v1/projects/risk/members/${ds.name}`, { role: 'admin' }, ds.headers)],
      ['join another project', send('PUT', `/v1/projects/default/members/${ds.name}`, { role: 'viewer' }, ds.headers)],
      ['platform role', send('PUT', `/v1/projects/*/members/${ds.name}`, { role: 'admin' }, ds.headers)],
      ['create a user', send('POST', '/v1/users', { name: 'mallory' }, ds.headers)],
      ['edit a policy', send('PUT', '/v1/policies/regulation-b', {}, ds.headers)],
      ['read the audit log', get('/v1/audit', ds.headers)],
    ];
    for (const [what, attempt] of attempts) {
      const res = await attempt;
      expect([what, res.statusCode]).toEqual([what, 403]);
    }
    const denied = await audit(`actor=${ds.name}&limit=100`);
    expect(denied.filter((e) => e.action === 'auth.denied' && e.status === 403).length).toBeGreaterThanOrEqual(attempts.length - 1);
    expect((await send('POST', '/v1/tokens', { name: 'x', scopes: ['administer'] }, ds.headers)).body).toMatch(/scopes administer exceed what your token holds/);
  });

  it("hides another project's pipelines: 404 on reads and runs, absent from lists, audited", async () => {
    const ds = await memberToken(t, 'data-scientist', { project: 'risk' });
    const attempts = [
      get('/v1/pipelines/tiny', ds.headers),
      get('/v1/versions/tiny@production', ds.headers),
      get('/v2/models/tiny', ds.headers),
      send('POST', '/v1/runs', { pipeline: 'tiny', inputs: tinyRecord }, ds.headers),
      send('POST', '/v2/models/tiny/infer', { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 1, 1] }] }, ds.headers),
      send('PUT', '/v1/pipelines/tiny/aliases/production', { version: 1 }, ds.headers),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode).toBe(404);
      expect(res.body).toMatch(/"tiny" not found|not found/);
    }
    expect((await get('/v1/pipelines', ds.headers)).json<{ pipelines: { name: string }[] }>().pipelines.map((p) => p.name)).not.toContain('tiny');
    const events = await audit(`actor=${ds.name}&target=tiny`);
    expect(events.length).toBeGreaterThanOrEqual(attempts.length);
    expect(events.every((e) => e.action === 'auth.denied' && e.status === 404)).toBe(true);
  });

  it("puts a push in the pusher's project, visible to its members and platform roles only", async () => {
    const ds = await memberToken(t, 'data-scientist', { project: 'lab' });
    const other = await memberToken(t, 'viewer', { project: 'default' });
    const pushed = await push(t, await classifierPackage(CLASSIFIER_MANIFEST.replace('name: tiny', 'name: lab-model')), ds.headers);
    expect(pushed.statusCode).toBe(201);
    expect(await t.store.pipelineProject('lab-model')).toBe('lab');
    const names = async (headers: Record<string, string>) => (await get('/v1/pipelines', headers)).json<{ pipelines: { name: string }[] }>().pipelines.map((p) => p.name);
    expect(await names(ds.headers)).toEqual(['lab-model']);
    expect(await names(other.headers)).not.toContain('lab-model');
    expect(await names(auth)).toEqual(expect.arrayContaining(['lab-model', 'tiny']));
    const nowhere = await t.app.inject({ method: 'POST', url: '/v1/pipelines?project=nowhere', headers: { ...auth, 'content-type': 'application/x-tar' }, payload: await classifierPackage(CLASSIFIER_MANIFEST.replace('name: tiny', 'name: lost')) });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.body).toMatch(/project \\"nowhere\\" not found/);
    expect(await t.store.pipelineProject('lost')).toBeUndefined();
    expect((await send('POST', '/v1/environments', { name: 'lab-env' })).statusCode).toBe(201);
    expect((await send('POST', '/v1/deployments', { pipeline: 'lab-model', environment: 'lab-env', target: 'v1' })).statusCode).toBe(200);
    const deployed = async (headers: Record<string, string>) => (await get('/v1/deployments', headers)).json<{ deployments: { pipeline: string }[] }>().deployments.map((d) => d.pipeline);
    expect(await deployed(ds.headers)).toContain('lab-model');
    expect(await deployed(other.headers)).not.toContain('lab-model');
    const run = await send('POST', '/v1/runs', { pipeline: 'lab-model', inputs: tinyRecord }, ds.headers);
    expect(run.statusCode).toBe(200);
    // A push into an existing pipeline of another project is refused as if it did not exist.
    const intruder = await memberToken(t, 'data-scientist', { project: 'risk' });
    expect((await push(t, await classifierPackage(CLASSIFIER_MANIFEST.replace('name: tiny', 'name: lab-model').replace('a tiny', 'another')), intruder.headers)).statusCode).toBe(404);
  });

  it('lets the caller role run but not read', async () => {
    const caller = await memberToken(t, 'caller');
    expect((await send('POST', '/v1/runs', { pipeline: 'tiny', inputs: tinyRecord }, caller.headers)).statusCode).toBe(200);
    expect((await get('/v2/models/tiny/ready', caller.headers)).statusCode).toBe(200);
    const read = await get('/v1/pipelines', caller.headers);
    expect(read.statusCode).toBe(403);
    expect(read.json<{ error: { message: string } }>().error.message).toMatch(/lacks the "read" permission/);
  });
});

describe('projects and members', () => {
  it('creates, lists, and refuses deleting a project that holds pipelines', async () => {
    expect((await send('POST', '/v1/projects', { name: 'fraud', description: 'fraud models' })).statusCode).toBe(201);
    expect((await send('POST', '/v1/projects', { name: 'fraud' })).statusCode).toBe(409);
    const admin = await memberToken(t, 'admin', { project: 'fraud' });
    expect((await get('/v1/projects', admin.headers)).json<{ projects: { name: string }[] }>().projects.map((p) => p.name)).toEqual(['fraud']);
    // A project admin manages its members, not other projects.
    await send('POST', '/v1/users', { name: 'dave' });
    expect((await send('PUT', '/v1/projects/fraud/members/dave', { role: 'viewer' }, admin.headers)).statusCode).toBe(200);
    expect((await get('/v1/projects/fraud/members', admin.headers)).json<{ members: { identity: string }[] }>().members.map((m) => m.identity).sort()).toEqual([admin.name, 'dave'].sort());
    expect((await send('PUT', '/v1/projects/default/members/dave', { role: 'viewer' }, admin.headers)).statusCode).toBe(403);
    expect((await send('DELETE', '/v1/projects/fraud/members/dave', undefined, admin.headers)).statusCode).toBe(200);
    expect((await send('DELETE', '/v1/projects/default', undefined)).statusCode).toBe(409);
    expect((await send('DELETE', '/v1/projects/nope', undefined)).statusCode).toBe(404);
  });

  it('deleting a user revokes their tokens', async () => {
    const gone = await memberToken(t, 'viewer');
    expect((await get('/v1/pipelines', gone.headers)).statusCode).toBe(200);
    expect((await send('DELETE', `/v1/users/${gone.name}`, undefined)).statusCode).toBe(200);
    expect((await get('/v1/pipelines', gone.headers)).statusCode).toBe(401);
    expect((await get('/v1/users')).json<{ identities: { name: string }[] }>().identities.map((i) => i.name)).not.toContain(gone.name);
  });
});

describe('security headers', () => {
  it('sends CSP, nosniff, frame and referrer policies on every response, and no HSTS without TLS', async () => {
    for (const res of [await t.app.inject({ url: '/v2/health/live' }), await t.app.inject({ url: '/nope' }), await t.app.inject({ url: '/v1/pipelines' }), await get('/v1/pipelines')]) {
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After per token, and other tokens keep working', async () => {
    const limited = await createTestApp({ governance: { rateLimits: { tokenPerSecond: 0.5, tokenBurst: 3 } } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.app.inject({ url: '/v1/pipelines', headers: auth })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await limited.app.inject({ url: '/v1/pipelines', headers: auth });
      expect(refused.headers['retry-after']).toBe('2');
      expect(refused.body).toMatch(/rate limit of this token exceeded/);
      const other = await memberToken(limited, 'viewer');
      expect((await limited.app.inject({ url: '/v1/pipelines', headers: other.headers })).statusCode).toBe(200);
    } finally {
      await limited.cleanup();
    }
  });

  it('limits runs per pipeline across tokens, leaving other pipelines alone', async () => {
    const limited = await createTestApp({ governance: { rateLimits: { pipelinePerSecond: 0.5, pipelineBurst: 2 } } });
    try {
      expect((await push(limited, await classifierPackage())).statusCode).toBe(201);
      expect((await push(limited, await classifierPackage(CLASSIFIER_MANIFEST.replace('name: tiny', 'name: other')))).statusCode).toBe(201);
      const [a, b] = [await memberToken(limited, 'caller'), await memberToken(limited, 'caller')];
      const run = (pipeline: string, headers: Record<string, string>) => limited.app.inject({ method: 'POST', url: '/v1/runs', headers, payload: { pipeline, inputs: tinyRecord } });
      expect([(await run('tiny', a.headers)).statusCode, (await run('tiny', b.headers)).statusCode]).toEqual([200, 200]);
      const refused = await run('tiny', a.headers);
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toMatch(/rate limit of pipeline \\"tiny\\" exceeded/);
      expect(refused.headers['retry-after']).toBe('2');
      expect((await run('other', b.headers)).statusCode).toBe(200);
      // Reads are not runs: the pipeline's limit does not apply to them.
      expect((await limited.app.inject({ url: '/v1/pipelines/tiny', headers: auth })).statusCode).toBe(200);
    } finally {
      await limited.cleanup();
    }
  });
});
