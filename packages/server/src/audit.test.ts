import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, MetadataStore } from '@slipway/core';
import { createPostgresMetadataStore, createSqliteMetadataStore } from '@slipway/store';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, canonicalJson, sealAuditEvent, verifyAuditChain } from './audit-chain.js';
import { type AuditRecord, createAudit } from './audit.js';
import { type TestApp, auth, classifierPackage, createTestApp, push } from './testing/fixtures.js';
import { memberToken } from './testing/identities.js';

const silent = { warn: () => undefined, error: () => undefined };

function chainOf(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prev = AUDIT_GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const e = { seq, prevHash: prev, at: `2026-01-0${seq}T00:00:00.000Z`, actor: 'alice', role: 'admin', action: `a${seq}`, target: 't', requestId: null, source: null, outcome: 'ok', status: 200, beforeDigest: null, afterDigest: null, details: { n: seq } };
    const hash = sealAuditEvent(prev, e);
    events.push({ ...e, hash });
    prev = hash;
  }
  return events;
}

describe('audit chain (pure)', () => {
  it('writes one canonical text whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(canonicalJson({ a: undefined, b: 'ü' })).toBe('{"b":"ü"}');
  });

  const chain = chainOf(5);
  const cases: [string, (c: AuditEvent[]) => AuditEvent[], { ok: boolean; seq?: number; reason?: RegExp }][] = [
    ['an intact chain', (c) => c, { ok: true }],
    ['an empty log', () => [], { ok: true }],
    ['an edited actor', (c) => c.map((e) => (e.seq === 3 ? { ...e, actor: 'mallory' } : e)), { ok: false, seq: 3, reason: /event 3 was modified/ }],
    ['edited details', (c) => c.map((e) => (e.seq === 2 ? { ...e, details: { n: 99 } } : e)), { ok: false, seq: 2, reason: /modified/ }],
    ['a deleted middle row', (c) => c.filter((e) => e.seq !== 3), { ok: false, seq: 4, reason: /event 3 is missing/ }],
    ['a deleted first row', (c) => c.slice(1), { ok: false, seq: 2, reason: /event 1 is missing/ }],
    ['a row re-sealed after editing (the next link breaks)', (c) => c.map((e) => (e.seq === 2 ? { ...e, actor: 'x', hash: sealAuditEvent(e.prevHash, { ...e, actor: 'x' }) } : e)), { ok: false, seq: 3, reason: /does not link to event 2/ }],
    ['rows swapped', (c) => [c[0]!, { ...c[2]!, seq: 2 }, { ...c[1]!, seq: 3 }, c[3]!, c[4]!], { ok: false, seq: 2 }],
  ];
  for (const [what, tamper, expected] of cases) {
    it(`verifies ${what}`, () => {
      const result = verifyAuditChain(tamper(chain));
      expect(result.ok).toBe(expected.ok);
      if (!expected.ok) {
        expect(result.broken?.seq).toBe(expected.seq);
        if (expected.reason) expect(result.broken?.reason).toMatch(expected.reason);
      }
    });
  }
});

const event = (action: string): AuditRecord => ({
  actor: 'alice',
  role: 'admin',
  action,
  target: 'credit-risk',
  outcome: 'ok',
  status: 200,
  beforeDigest: null,
  afterDigest: null,
  details: { why: 'test' },
});

/** The tamper scenario against a store: record, verify, refuse UPDATE/DELETE, then tamper as an attacker who dropped the triggers. */
function describeTamper(name: string, open: () => MetadataStore, attacker: (sql: string) => Promise<void>, dropTriggers: string[]) {
  describe(`audit tamper detection (${name})`, () => {
    let store: MetadataStore;
    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    it('verifies an untouched log, the database refuses UPDATE and DELETE, and an attacker who drops the triggers is caught', async () => {
      const audit = createAudit(store, silent);
      await Promise.all(Array.from({ length: 6 }, (_, i) => audit.record(event(`action-${i}`))));
      expect(await audit.verify()).toMatchObject({ ok: true, checked: 6 });

      await expect(attacker("update audit_events set actor = 'mallory' where seq = 3")).rejects.toThrow(/append-only/);
      await expect(attacker('delete from audit_events where seq = 3')).rejects.toThrow(/append-only/);
      expect(await audit.verify()).toMatchObject({ ok: true, checked: 6 });

      for (const statement of dropTriggers) await attacker(statement);
      await attacker("update audit_events set actor = 'mallory' where seq = 3");
      const edited = await audit.verify();
      expect(edited).toMatchObject({ ok: false, checked: 2, broken: { seq: 3 } });
      expect(edited.broken?.reason).toMatch(/event 3 was modified/);

      // Put it back (as the attacker could), then delete a row instead.
      await attacker("update audit_events set actor = 'alice' where seq = 3");
      expect((await audit.verify()).ok).toBe(true);
      await attacker('delete from audit_events where seq = 4');
      const gap = await audit.verify();
      expect(gap).toMatchObject({ ok: false, broken: { seq: 5 } });
      expect(gap.broken?.reason).toMatch(/event 4 is missing/);
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'slipway-audit-'));
const sqlitePath = join(sqliteDir, 'audit.db');
describeTamper(
  'sqlite',
  () => createSqliteMetadataStore({ path: sqlitePath }),
  (sql) => {
    const db = new BetterSqlite3(sqlitePath);
    try {
      db.exec(sql);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      db.close();
    }
  },
  ['drop trigger audit_events_no_update', 'drop trigger audit_events_no_delete'],
);
afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));

const pgUrl = process.env.SLIPWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `slipway_audit_${randomBytes(6).toString('hex')}`;
const pgAvailable = await (async () => {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
})();
const pgExec = async (sql: string) => {
  const c = new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
};
if (pgAvailable || process.env.SLIPWAY_REQUIRE_SERVICES === '1') {
  describeTamper('postgres', () => createPostgresMetadataStore({ connectionString: pgUrl, schema }), pgExec, ['drop trigger audit_events_no_change on audit_events']);
  it('keeps one chain when two servers append to one PostgreSQL at once', async () => {
    const a = createPostgresMetadataStore({ connectionString: pgUrl, schema });
    const b = createPostgresMetadataStore({ connectionString: pgUrl, schema });
    try {
      await a.migrate();
      const before = (await a.listAudit({ limit: 1 }))[0]?.seq ?? 0;
      const [auditA, auditB] = [createAudit(a, silent), createAudit(b, silent)];
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? auditA : auditB).record(event(`race-${i}`))));
      const seqs = (await a.listAudit({ afterSeq: before, order: 'asc', limit: 100 })).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => before + i + 1));
    } finally {
      await a.close();
      await b.close();
    }
  });
  afterAll(async () => {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  });
} else {
  it.skip(`audit tamper detection (postgres): no PostgreSQL at ${pgUrl}`, () => undefined);
}

describe('audit log over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.cleanup());

  it('records every mutation with actor, role, action, target, request id, source and digest, but not runs', async () => {
    const pushed = await push(t, await classifierPackage());
    const moved = await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/staging', headers: { ...auth, 'x-request-id': 'req-42' }, payload: { version: 1 } });
    expect(moved.statusCode).toBe(200);
    await t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 1 } } });
    const { events } = (await t.app.inject({ url: '/v1/audit?limit=10', headers: auth })).json<{ events: AuditEvent[] }>();
    expect(events.map((e) => e.action)).toEqual(['PUT /v1/pipelines/:name/aliases/:alias', 'POST /v1/pipelines']);
    expect(events[0]).toMatchObject({ actor: 'tester', role: 'admin', target: 'tiny/staging', requestId: 'req-42', source: '127.0.0.1', outcome: 'ok', status: 200 });
    expect(events[0]?.afterDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(events[1]).toMatchObject({ status: pushed.statusCode, outcome: 'ok' });
    expect(events[0]?.beforeDigest).toBeNull();
    await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/staging', headers: auth, payload: { version: 1 } });
    const again = (await t.app.inject({ url: '/v1/audit?limit=1', headers: auth })).json<{ events: AuditEvent[] }>().events[0];
    // The alias existed this time: the event carries what it pointed at before, and the answer after.
    expect(again?.beforeDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again?.beforeDigest).toBe(events[0]?.afterDigest);
    const failed = await t.app.inject({ method: 'PUT', url: '/v1/pipelines/tiny/aliases/staging', headers: auth, payload: { version: 'v9' } });
    expect(failed.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/v1/audit?limit=1', headers: auth })).json<{ events: AuditEvent[] }>().events[0]).toMatchObject({ outcome: 'failed', status: 404, afterDigest: null });
  });

  it('filters by since, actor and target, and refuses bad filters naming them', async () => {
    const viewer = await memberToken(t, 'viewer');
    await t.app.inject({ method: 'POST', url: '/v1/pipelines/tiny/warmup', headers: viewer.headers, payload: {} });
    const byActor = (await t.app.inject({ url: `/v1/audit?actor=${viewer.name}`, headers: auth })).json<{ events: AuditEvent[] }>().events;
    expect(byActor.map((e) => [e.action, e.status, e.details?.permission])).toEqual([['auth.denied', 403, 'deploy']]);
    const byTarget = (await t.app.inject({ url: '/v1/audit?target=tiny', headers: auth })).json<{ events: AuditEvent[] }>().events;
    expect(byTarget.length).toBeGreaterThan(2);
    expect(byTarget.every((e) => e.target === 'tiny' || e.target?.startsWith('tiny/'))).toBe(true);
    const future = (await t.app.inject({ url: '/v1/audit?since=2999-01-01T00:00:00Z', headers: auth })).json<{ events: AuditEvent[] }>().events;
    expect(future).toEqual([]);
    const bad = await t.app.inject({ url: '/v1/audit?since=yesterday&limit=0&colour=red', headers: auth });
    expect(bad.statusCode).toBe(400);
    for (const field of ['since', 'limit', 'colour']) expect(bad.body).toContain(field);
  });

  it('verifies over HTTP, and names the broken row after a direct edit of the SQLite file', async () => {
    const ok = (await t.app.inject({ method: 'POST', url: '/v1/audit/verify', headers: auth })).json<{ ok: boolean; checked: number }>();
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(3);
    const db = new BetterSqlite3(join(t.dir, 'slipway.db'));
    try {
      db.exec('drop trigger audit_events_no_update');
      db.exec("update audit_events set target = 'other' where seq = 2");
    } finally {
      db.close();
    }
    const broken = (await t.app.inject({ method: 'POST', url: '/v1/audit/verify', headers: auth })).json<{ ok: boolean; broken: { seq: number; reason: string } }>();
    expect(broken).toMatchObject({ ok: false, broken: { seq: 2 } });
  });
});
