/**
 * The behaviour every `GovernanceStore` owes access control and the audit log, run by
 * sqlite.test.ts and postgres.test.ts: identities, projects and memberships round-trip,
 * tokens keep scopes, expiry and revocation, pipelines sit in `default` until moved,
 * concurrent audit appends form one unbroken chain, and the database itself refuses to
 * update or delete an audit event.
 */
import type { AuditEventInput, MetadataStore } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS } from './kysely-governance-store.js';

const at = '2026-01-01T00:00:00.000Z';

const event = (action: string, overrides: Partial<AuditEventInput> = {}): AuditEventInput => ({
  at,
  actor: 'alice',
  role: 'admin',
  action,
  target: 'credit-risk/production',
  requestId: 'r1',
  source: '127.0.0.1',
  outcome: 'ok',
  status: 200,
  beforeDigest: null,
  afterDigest: 'sha256:ab',
  details: { note: 'ünïcode' },
  ...overrides,
});

/** A stand-in seal: the contract checks chaining, the server owns the real hash. */
const seal = (prev: string, e: { seq: number; action: string }) => `${prev}>${e.seq}:${e.action}`;

export function describeGovernanceStoreContract(name: string, open: () => MetadataStore): void {
  describe(`GovernanceStore contract (${name})`, () => {
    let store: MetadataStore;
    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    it('has the default project and round-trips identities, projects and memberships', async () => {
      expect((await store.listProjects()).map((p) => p.name)).toContain('default');
      await store.createIdentity({ name: 'alice', kind: 'user', createdAt: at, createdBy: 'admin' });
      await store.createIdentity({ name: 'ci-bot', kind: 'service-account', createdAt: at, createdBy: 'admin' });
      await expect(store.createIdentity({ name: 'alice', kind: 'user', createdAt: at, createdBy: 'admin' })).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.getIdentity('alice')).toEqual({ name: 'alice', kind: 'user', createdAt: at, createdBy: 'admin' });
      expect((await store.listIdentities('service-account')).map((i) => i.name)).toEqual(['ci-bot']);
      await store.createProject({ name: 'risk', description: 'credit models', createdAt: at, createdBy: 'admin' });
      await expect(store.createProject({ name: 'risk', description: null, createdAt: at, createdBy: 'admin' })).rejects.toMatchObject({ code: 'conflict' });
      await store.setMembership({ project: 'risk', identity: 'alice', role: 'viewer', createdAt: at, createdBy: 'admin' });
      await store.setMembership({ project: 'risk', identity: 'alice', role: 'data-scientist', createdAt: at, createdBy: 'admin' });
      await store.setMembership({ project: '*', identity: 'ci-bot', role: 'caller', createdAt: at, createdBy: 'admin' });
      expect(await store.listMemberships({ identity: 'alice' })).toEqual([{ project: 'risk', identity: 'alice', role: 'data-scientist', createdAt: at, createdBy: 'admin' }]);
      expect((await store.listMemberships({ project: '*' })).map((m) => m.identity)).toEqual(['ci-bot']);
      expect(await store.removeMembership('risk', 'alice')).toBe(true);
      expect(await store.removeMembership('risk', 'alice')).toBe(false);
    });

    it('keeps token scopes, expiry and revocation, and deleting an identity revokes its tokens', async () => {
      await store.createIdentity({ name: 'bob', kind: 'user', createdAt: at, createdBy: 'admin' });
      const base = { name: 'laptop', identity: 'bob', role: null, project: 'risk', createdAt: at, revokedAt: null, lastUsedAt: null };
      await store.createApiToken({ ...base, id: 'tb1', hash: 'sha256:b1', scopes: ['read', 'run'], expiresAt: '2030-01-01T00:00:00.000Z' });
      await store.createApiToken({ ...base, id: 'tb2', hash: 'sha256:b2', scopes: null, expiresAt: null });
      await store.createApiToken({ ...base, id: 'tg', hash: 'sha256:g', identity: null, role: 'admin', scopes: null, expiresAt: null, project: null });
      expect(await store.findApiTokenByHash('sha256:b1')).toEqual({ ...base, id: 'tb1', hash: 'sha256:b1', scopes: ['read', 'run'], expiresAt: '2030-01-01T00:00:00.000Z' });
      expect((await store.getApiToken('tg'))?.role).toBe('admin');
      expect((await store.listApiTokens({ identity: 'bob' })).map((t) => t.id)).toEqual(['tb1', 'tb2']);
      await store.touchApiToken('tb1', '2026-02-01T00:00:00.000Z');
      expect((await store.getApiToken('tb1'))?.lastUsedAt).toBe('2026-02-01T00:00:00.000Z');
      expect(await store.revokeApiToken('tb1', at)).toBe(true);
      expect(await store.revokeApiToken('tb1', at)).toBe(false);
      expect(await store.deleteIdentity('bob', at)).toBe(true);
      expect((await store.getApiToken('tb2'))?.revokedAt).toBe(at);
      expect(await store.deleteIdentity('bob', at)).toBe(false);
      expect(await store.findApiTokenByHash('sha256:nope')).toBeUndefined();
    });

    it('puts pipelines in the default project until moved, and keeps a project with pipelines', async () => {
      await store.createVersion({
        pipeline: 'gov-p',
        digest: 'sha256:gov',
        manifest: { name: 'gov-p', model: 'model.onnx' } as never,
        signature: { inputs: [], outputs: [] },
        artifacts: [],
        lineage: {} as never,
        createdBy: 'alice',
        createdAt: at,
      });
      expect(await store.pipelineProject('gov-p')).toBe('default');
      expect(await store.pipelineProject('missing')).toBeUndefined();
      await store.createProject({ name: 'kept', description: null, createdAt: at, createdBy: 'admin' });
      await store.setPipelineProject('gov-p', 'kept');
      expect((await store.pipelineProjects()).get('gov-p')).toBe('kept');
      await expect(store.deleteProject('kept')).rejects.toMatchObject({ code: 'conflict' });
      await store.createProject({ name: 'empty', description: null, createdAt: at, createdBy: 'admin' });
      expect(await store.deleteProject('empty')).toBe(true);
      expect(await store.getProject('empty')).toBeUndefined();
    });

    it('chains concurrent audit appends without forks or gaps, and filters them', async () => {
      const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendAudit(event(`a${i}`, { actor: i % 2 ? 'alice' : 'bob', target: i === 3 ? 'credit-risk' : 'other' }), seal)));
      const chain = await store.listAudit({ order: 'asc', limit: 1000 });
      expect(chain.map((e) => e.seq)).toEqual(chain.map((_, i) => i + 1));
      expect(chain[0]?.prevHash).toBe(AUDIT_GENESIS);
      for (let i = 1; i < chain.length; i++) expect(chain[i]?.prevHash).toBe(chain[i - 1]?.hash);
      expect(new Set(appended.map((e) => e.seq)).size).toBe(20);
      expect(chain[0]).toMatchObject({ details: { note: 'ünïcode' }, status: 200, afterDigest: 'sha256:ab' });
      expect((await store.listAudit({ actor: 'alice' })).every((e) => e.actor === 'alice')).toBe(true);
      const expected = chain.filter((e) => e.target === 'credit-risk' || e.target === 'credit-risk/production').map((e) => e.seq);
      expect((await store.listAudit({ target: 'credit-risk', order: 'asc' })).map((e) => e.seq)).toEqual(expected);
      expect(expected.length).toBe(1);
      expect(await store.listAudit({ since: '2027-01-01T00:00:00.000Z' })).toEqual([]);
      expect((await store.listAudit({ limit: 2 })).map((e) => e.seq)).toEqual([chain.length, chain.length - 1]);
      expect((await store.listAudit({ afterSeq: chain.length - 1, order: 'asc' })).map((e) => e.seq)).toEqual([chain.length]);
    });
  });
}
