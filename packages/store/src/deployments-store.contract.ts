/**
 * The behaviour every `DeploymentStore` owes its callers, run by sqlite.test.ts and
 * postgres.test.ts against the same database per call of `open`.
 */
import { randomBytes } from 'node:crypto';
import { type DeploymentRecord, type MetadataStore, SlipwayError } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function deployment(pipeline: string, environment: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    pipeline,
    environment,
    target: '@production',
    scaling: {
      min: 0,
      max: 3,
      targetConcurrency: 4,
      stableWindowSeconds: 60,
      panicWindowSeconds: 6,
      panicThreshold: 2,
      maxQueueMs: 1000,
      scaleUpDelaySeconds: 0,
      scaleDownDelaySeconds: 30,
      maxScaleUpRate: 10,
      maxScaleDownRate: 2,
      idleTimeoutSeconds: 300,
    },
    serving: { maxConcurrency: 2 },
    resources: { accelerator: 'gpu', gpuMemory: 4 * 2 ** 30 },
    traffic: [
      { version: 1, weight: 30 },
      { version: 2, weight: 70 },
    ],
    rollout: null,
    createdBy: 'tester — “ünïcode”',
    createdAt: '2026-01-02T03:04:05.006Z',
    updatedAt: '2026-01-02T03:04:05.006Z',
    ...overrides,
  };
}

export function describeDeploymentStoreContract(name: string, open: () => MetadataStore): void {
  describe(`DeploymentStore contract: ${name}`, () => {
    let store: MetadataStore;
    // Tests share one database: their own pipeline and environment names keep them apart.
    const tag = randomBytes(3).toString('hex');
    const pipeline = (n: string) => `dep-${tag}-${n}`;

    beforeAll(async () => {
      store = open();
      await store.migrate();
    });
    afterAll(() => store.close());

    it('creates environments once and lists them', async () => {
      const env = `env-${tag}`;
      const created = await store.createEnvironment({ name: env, description: 'eu canary', createdAt: '2026-01-01T00:00:00.000Z' });
      expect(created).toStrictEqual({ name: env, description: 'eu canary', builtIn: false, createdAt: '2026-01-01T00:00:00.000Z' });
      await expect(store.createEnvironment({ name: env, description: 'again', createdAt: '2026-01-01T00:00:00.000Z' })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.createEnvironment({ name: env, description: 'again', createdAt: '2026-01-01T00:00:00.000Z' })).rejects.toBeInstanceOf(SlipwayError);
      expect((await store.listEnvironments()).filter((e) => e.name === env)).toStrictEqual([created]);
    });

    it('stores a deployment round trip, replaces it, lists and deletes it', async () => {
      const p = pipeline('a');
      const d = deployment(p, 'production');
      await store.putDeployment(d);
      expect(await store.getDeployment(p, 'production')).toStrictEqual(d);
      expect(await store.getDeployment(p, 'staging')).toBeUndefined();
      const rollout = {
        strategy: 'canary' as const,
        stable: 1,
        candidate: 2,
        percent: 5,
        steps: [5, 50, 100],
        step: 0,
        intervalSeconds: 600,
        nextStepAt: '2026-01-02T03:14:05.006Z',
        rollback: { windowSeconds: 60, minRequests: 20, maxErrorRateIncrease: 0.05, maxP99Ratio: 1.5, p99MarginMs: 5 },
        status: 'running' as const,
        reason: null,
        startedAt: '2026-01-02T03:04:05.006Z',
        endedAt: null,
      };
      const changed = { ...d, target: 'v2', serving: null, traffic: null, rollout, updatedAt: '2026-01-03T00:00:00.000Z', createdBy: 'someone else' };
      await store.putDeployment(changed);
      // An update keeps who created it and when.
      expect(await store.getDeployment(p, 'production')).toStrictEqual({ ...changed, createdBy: d.createdBy, createdAt: d.createdAt });
      await store.putDeployment(deployment(p, 'dev'));
      expect((await store.listDeployments()).filter((x) => x.pipeline === p).map((x) => x.environment)).toStrictEqual(['dev', 'production']);
      expect(await store.deleteDeployment(p, 'dev')).toBe(true);
      expect(await store.deleteDeployment(p, 'dev')).toBe(false);
      expect((await store.listDeployments()).filter((x) => x.pipeline === p).map((x) => x.environment)).toStrictEqual(['production']);
    });

    it('numbers rollout events per deployment, also when appended concurrently', async () => {
      const p = pipeline('b');
      await store.putDeployment(deployment(p, 'production'));
      const base = { pipeline: p, environment: 'production', stable: 1, candidate: 2, actor: 'system', at: '2026-01-02T03:04:05.006Z' };
      await store.appendRolloutEvent({ ...base, kind: 'started', percent: 5, reason: null, details: null });
      await Promise.all(
        [25, 50, 100].map((percent) => store.appendRolloutEvent({ ...base, kind: 'step', percent, reason: null, details: null })),
      );
      const rolled = await store.appendRolloutEvent({ ...base, kind: 'rolled_back', percent: 0, reason: 'error rate 0.5 > 0 + 0.05', details: { candidate: { errorRate: 0.5 } } });
      expect(rolled.seq).toBe(5);
      const events = await store.listRolloutEvents(p, 'production');
      expect(events.map((e) => e.seq)).toStrictEqual([1, 2, 3, 4, 5]);
      expect(events.map((e) => e.percent).slice(1, 4).sort((a, b) => a - b)).toStrictEqual([25, 50, 100]);
      expect(events[4]).toStrictEqual(rolled);
      expect(await store.listRolloutEvents(p, 'staging')).toStrictEqual([]);
    });
  });
}
