/**
 * The behaviour every `PolicyStore` owes its callers (sqlite.test.ts, postgres.test.ts):
 * policy versions numbered per name, approvals idempotent per approver, exceptions
 * approved once, version facts replaced.
 */
import { randomBytes } from 'node:crypto';
import { type MetadataStore, type PolicyDocument } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const doc = (environments: string[]): PolicyDocument => ({ name: 'p', environments, rules: { approvals: { required: 1 } } });

export function describePoliciesStoreContract(name: string, open: () => MetadataStore): void {
  describe(`PolicyStore contract: ${name}`, () => {
    let store: MetadataStore;
    const tag = randomBytes(4).toString('hex');
    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    it('numbers policy versions per name, keeps history, and does not version an identical apply', async () => {
      const policy = `policy-${tag}`;
      const at = '2026-01-01T00:00:00.000Z';
      const first = await store.applyPolicy({ name: policy, document: doc(['production']), source: 'a: 1', actor: 'ada', createdAt: at });
      expect(first).toMatchObject({ created: true, policy: { name: policy, version: 1, actor: 'ada', source: 'a: 1', document: doc(['production']) } });
      expect((await store.applyPolicy({ name: policy, document: doc(['production']), source: 'a: 1', actor: 'bob', createdAt: at })).created).toBe(false);
      const second = await store.applyPolicy({ name: policy, document: doc(['staging']), source: 'a: 2', actor: 'bob', createdAt: at });
      expect(second.policy.version).toBe(2);
      expect((await store.getPolicy(policy))?.document.environments).toEqual(['staging']);
      expect((await store.getPolicy(policy, 1))?.document.environments).toEqual(['production']);
      expect(await store.getPolicy(policy, 3)).toBeUndefined();
      expect((await store.policyHistory(policy)).map((p) => p.version)).toEqual([1, 2]);
      const listed = (await store.listPolicies()).filter((p) => p.name === policy);
      expect(listed.map((p) => p.version)).toEqual([2]);
    });

    it('numbers concurrent applies without gaps or duplicates', async () => {
      const policy = `race-${tag}`;
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => store.applyPolicy({ name: policy, document: doc([`e${i}`]), source: `v: ${i}`, actor: 'ada', createdAt: '2026-01-01T00:00:00.000Z' })),
      );
      expect(results.map((r) => r.policy.version).sort()).toEqual([1, 2, 3, 4, 5]);
    });

    it('keeps one approval per approver and lists them', async () => {
      const pipeline = `approved-${tag}`;
      const a = { pipeline, version: 1, approver: 'alice', role: 'approver' as const, comment: 'looks fine', createdAt: '2026-01-01T00:00:00.000Z' };
      expect(await store.addApproval(a)).toEqual({ approval: a, created: true });
      expect(await store.addApproval({ ...a, comment: 'again', createdAt: '2026-01-02T00:00:00.000Z' })).toEqual({ approval: a, created: false });
      await store.addApproval({ ...a, approver: 'bob', createdAt: '2026-01-03T00:00:00.000Z' });
      expect((await store.listApprovals(pipeline, 1)).map((x) => x.approver)).toEqual(['alice', 'bob']);
      expect(await store.listApprovals(pipeline, 2)).toEqual([]);
    });

    it('records exceptions and approves each once', async () => {
      const pipeline = `excepted-${tag}`;
      const e = { id: `x-${tag}`, pipeline, version: null, feature: 'age', legalBasis: '12 CFR 202.6(b)(2)', proposedBy: 'ada', proposedAt: '2026-01-01T00:00:00.000Z', approvedBy: null, approvedAt: null };
      await store.createPolicyException(e);
      expect(await store.getPolicyException(e.id)).toEqual(e);
      expect(await store.approvePolicyException(e.id, 'alice', '2026-01-02T00:00:00.000Z')).toEqual({ ...e, approvedBy: 'alice', approvedAt: '2026-01-02T00:00:00.000Z' });
      expect((await store.approvePolicyException(e.id, 'bob', '2026-01-03T00:00:00.000Z'))?.approvedBy).toBe('alice');
      expect(await store.approvePolicyException('missing', 'bob', '2026-01-03T00:00:00.000Z')).toBeUndefined();
      expect((await store.listPolicyExceptions(pipeline)).map((x) => x.id)).toEqual([e.id]);
      expect((await store.listPolicyExceptions()).some((x) => x.id === e.id)).toBe(true);
    });

    it('replaces the facts of a version', async () => {
      const pipeline = `facts-${tag}`;
      const m = { attribute: 'sex', evaluationSet: 'data/holdout.csv', favorableClass: 'repaid', privileged: ['male'], disparateImpact: 0.7, groups: [{ group: 'male', privileged: true, count: 2, favorable: 2, rate: 1 }] };
      const verdicts = [{ environment: 'production', passed: false, policies: ['p@v1'], rules: [{ policy: 'p', policyVersion: 1, rule: 'approvals' as const, passed: false, message: 'needs 1', evidence: { required: 1 }, fix: 'approve' }] }];
      await store.putVersionFacts({ pipeline, version: 1, fairness: [m], verdicts: [], measuredAt: '2026-01-01T00:00:00.000Z' });
      await store.putVersionFacts({ pipeline, version: 1, fairness: [{ ...m, disparateImpact: 0.9 }], verdicts, measuredAt: '2026-01-02T00:00:00.000Z' });
      expect(await store.getVersionFacts(pipeline, 1)).toEqual({ pipeline, version: 1, fairness: [{ ...m, disparateImpact: 0.9 }], verdicts, measuredAt: '2026-01-02T00:00:00.000Z' });
      expect(await store.getVersionFacts(pipeline, 2)).toBeUndefined();
    });
  });
}
