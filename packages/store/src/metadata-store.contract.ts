/**
 * The behaviour every `MetadataStore` owes its callers, as one vitest suite that each
 * implementation's test file runs (sqlite.test.ts, postgres.test.ts). `open` must reach
 * the same database on every call, so a test can close a store and reopen it. Tests share
 * that database and keep apart by using their own pipelines.
 */
import { randomBytes } from 'node:crypto';
import { type MetadataStore, type NewVersion, SlipwayError, type TokenRecord } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let pipelines = 0;
function freshPipeline(): string {
  pipelines += 1;
  return `pipeline-${pipelines}`;
}

const hexOf = (n: number) => n.toString(16).padStart(64, '0');

/** Version `n` of a pipeline, with every optional field filled so a lost one shows. */
function newVersion(pipeline: string, n: number): NewVersion {
  return {
    pipeline,
    digest: `sha256:${hexOf(n)}`,
    manifest: {
      name: pipeline,
      description: `churn model, build ${n} — “quoted”, ünïcode, 'apostrophe'`,
      runtime: 'onnx',
      model: 'models/model.onnx',
      tabular: {
        input: 'features',
        features: [
          { name: 'age', type: 'numeric', description: 'years' },
          { name: 'plan', type: 'categorical', categories: ['free', 'pro'] },
          { name: 'active', type: 'boolean' },
        ],
      },
      outputs: { probabilities: 'probabilities', label: 'label', classLabels: ['stays', 'churns'] },
      lineage: { codeCommit: 'abc123', parameters: { depth: 6 } },
      tags: { team: 'growth', 'cost-center': '42' },
    },
    signature: {
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4], symbolicDims: { 0: 'batch' } }],
      outputs: [
        { name: 'label', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
    },
    artifacts: [
      { path: 'models/model.onnx', digest: `sha256:${hexOf(1000 + n)}`, size: 123_456 },
      { path: 'slipway.yaml', digest: `sha256:${hexOf(2000 + n)}`, size: 0 },
    ],
    lineage: {
      codeCommit: 'abc123',
      codeRepository: 'https://git.example.com/ml/churn',
      dataset: { uri: 's3://data/churn.parquet', digest: `sha256:${hexOf(3000 + n)}` },
      parameters: { learningRate: 0.1, depth: 6, loss: 'log', earlyStop: true },
      metrics: { auc: 0.9123456789012345, loss: 1e-300, delta: -0.5 },
    },
    createdBy: 'alice',
    createdAt: new Date(Date.UTC(2025, 0, 1, 12, 0, n)).toISOString(),
  };
}

function newToken(): TokenRecord {
  const id = randomBytes(8).toString('hex');
  return { id, name: `ci token ${id}`, hash: `sha256:${randomBytes(32).toString('hex')}`, role: 'admin', createdAt: new Date().toISOString() };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

export function describeMetadataStoreContract(name: string, open: () => MetadataStore): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let store: MetadataStore;

    beforeAll(async () => {
      store = open();
      await store.migrate();
    });

    afterAll(async () => {
      await store.close();
    });

    it('reports its kind', () => {
      expect(store.kind).toBe(name);
    });

    it('lets migrate() run again without harm', async () => {
      const pipeline = freshPipeline();
      await store.createVersion(newVersion(pipeline, 1));
      await store.migrate();
      await store.migrate();
      expect((await store.getVersion(pipeline, 1))?.digest).toBe(newVersion(pipeline, 1).digest);
    });

    it('stores a version and reads back every field exactly', async () => {
      const pipeline = freshPipeline();
      const input = newVersion(pipeline, 1);
      const expected = { ...input, version: 1 };

      const result = await store.createVersion(input);

      expect(result).toStrictEqual({ version: expected, created: true });
      expect(await store.getVersion(pipeline, 1)).toStrictEqual(expected);
      expect(await store.latestVersion(pipeline)).toStrictEqual(expected);
      expect(await store.listVersions(pipeline)).toStrictEqual([expected]);
    });

    it('numbers versions 1, 2, 3… per pipeline and lists them newest first', async () => {
      const [a, b] = [freshPipeline(), freshPipeline()];
      for (const n of [1, 2, 3]) await store.createVersion(newVersion(a, n));
      await store.createVersion(newVersion(b, 9));

      expect((await store.listVersions(a)).map((v) => v.version)).toStrictEqual([3, 2, 1]);
      expect((await store.listVersions(a)).map((v) => v.digest)).toStrictEqual([3, 2, 1].map((n) => newVersion(a, n).digest));
      expect((await store.latestVersion(a))?.version).toBe(3);
      expect((await store.getVersion(a, 2))?.digest).toBe(newVersion(a, 2).digest);
      expect((await store.listVersions(b)).map((v) => v.version)).toStrictEqual([1]);
    });

    it('returns the existing version when the digest was already pushed to the pipeline', async () => {
      const [pipeline, other] = [freshPipeline(), freshPipeline()];
      const first = await store.createVersion(newVersion(pipeline, 1));
      await store.createVersion(newVersion(pipeline, 2));

      const again = await store.createVersion({ ...newVersion(pipeline, 1), createdBy: 'bob', createdAt: new Date().toISOString() });

      expect(again).toStrictEqual({ version: first.version, created: false });
      expect(await store.listVersions(pipeline)).toHaveLength(2);
      // Digests are unique per pipeline only.
      expect(await store.createVersion({ ...newVersion(other, 1), digest: newVersion(pipeline, 1).digest })).toMatchObject({
        created: true,
        version: { pipeline: other, version: 1 },
      });
    });

    it('gives concurrent pushes to one pipeline distinct consecutive numbers', async () => {
      const pipeline = freshPipeline();
      const push = (ns: number[]) => Promise.all(ns.map((n) => store.createVersion(newVersion(pipeline, n))));
      const range = (from: number) => Array.from({ length: 10 }, (_, i) => from + i);

      // The first round also races to create the pipeline; the second to extend it.
      for (const ns of [range(1), range(11)]) {
        const results = await push(ns);
        expect(results.every((r) => r.created)).toBe(true);
        expect(results.map((r) => r.version.version).sort((x, y) => x - y)).toStrictEqual(ns);
        expect(results.map((r) => r.version.digest)).toStrictEqual(ns.map((n) => newVersion(pipeline, n).digest));
        for (const r of results) expect(r.version).toStrictEqual(await store.getVersion(pipeline, r.version.version));
      }
      expect((await store.listVersions(pipeline)).map((v) => v.version)).toStrictEqual(range(1).concat(range(11)).reverse());
    });

    it('creates one version for identical concurrent pushes', async () => {
      const pipeline = freshPipeline();
      const pushFiveTimes = (n: number) => Promise.all(Array.from({ length: 5 }, () => store.createVersion(newVersion(pipeline, n))));

      // The first round also races to create the pipeline; the second pushes to an existing one.
      for (const n of [1, 2]) {
        const results = await pushFiveTimes(n);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        for (const r of results) expect(r.version).toStrictEqual({ ...newVersion(pipeline, n), version: n });
      }
      expect(await store.listVersions(pipeline)).toHaveLength(2);
    });

    it('moves aliases and keeps each one’s history, oldest first', async () => {
      const pipeline = freshPipeline();
      for (const n of [1, 2, 3]) await store.createVersion(newVersion(pipeline, n));

      const moves = [
        await store.setAlias({ pipeline, alias: 'prod', version: 1, actor: 'alice' }),
        await store.setAlias({ pipeline, alias: 'prod', version: 2, actor: 'bob' }),
        await store.setAlias({ pipeline, alias: 'prod', version: 1, actor: 'carol' }),
      ];
      const staging = await store.setAlias({ pipeline, alias: 'staging', version: 3, actor: 'dave' });

      for (const [i, actor] of ['alice', 'bob', 'carol'].entries()) {
        expect(moves[i]).toMatchObject({ pipeline, alias: 'prod', updatedBy: actor });
        expect(moves[i]?.updatedAt).toMatch(ISO_8601);
      }
      expect(await store.getAlias(pipeline, 'prod')).toStrictEqual(moves[2]);
      expect(await store.getAlias(pipeline, 'prod')).toMatchObject({ version: 1, updatedBy: 'carol' });
      expect(await store.listAliases(pipeline)).toStrictEqual([moves[2], staging]);

      const history = await store.aliasHistory(pipeline, 'prod');
      expect(history).toStrictEqual([
        { pipeline, alias: 'prod', fromVersion: null, toVersion: 1, actor: 'alice', at: moves[0]?.updatedAt },
        { pipeline, alias: 'prod', fromVersion: 1, toVersion: 2, actor: 'bob', at: moves[1]?.updatedAt },
        { pipeline, alias: 'prod', fromVersion: 2, toVersion: 1, actor: 'carol', at: moves[2]?.updatedAt },
      ]);
      expect(history.map((e) => e.at)).toStrictEqual(history.map((e) => e.at).sort());
      expect(await store.aliasHistory(pipeline, 'staging')).toStrictEqual([
        { pipeline, alias: 'staging', fromVersion: null, toVersion: 3, actor: 'dave', at: staging.updatedAt },
      ]);
    });

    it('refuses to point an alias at a missing version, and writes nothing', async () => {
      const pipeline = freshPipeline();
      await store.createVersion(newVersion(pipeline, 1));
      const prod = await store.setAlias({ pipeline, alias: 'prod', version: 1, actor: 'alice' });
      const before = await store.getPipeline(pipeline);

      for (const [alias, version] of [
        ['prod', 7],
        ['canary', 2],
      ] as const) {
        const error = await rejectionOf(store.setAlias({ pipeline, alias, version, actor: 'mallory' }));
        expect(error).toBeInstanceOf(SlipwayError);
        expect(error).toMatchObject({ code: 'not_found' });
        expect((error as SlipwayError).message).toContain(`version ${version}`);
        expect((error as SlipwayError).message).toContain(`slipway versions ${pipeline}`);
      }
      expect(await rejectionOf(store.setAlias({ pipeline: freshPipeline(), alias: 'prod', version: 1, actor: 'mallory' }))).toMatchObject({
        code: 'not_found',
      });

      expect(await store.getAlias(pipeline, 'prod')).toStrictEqual(prod);
      expect(await store.getAlias(pipeline, 'canary')).toBeUndefined();
      expect(await store.aliasHistory(pipeline, 'prod')).toHaveLength(1);
      expect(await store.aliasHistory(pipeline, 'canary')).toStrictEqual([]);
      expect(await store.getPipeline(pipeline)).toStrictEqual(before);
    });

    it('answers undefined or nothing for an unknown pipeline', async () => {
      const pipeline = freshPipeline();
      expect(await store.getVersion(pipeline, 1)).toBeUndefined();
      expect(await store.latestVersion(pipeline)).toBeUndefined();
      expect(await store.listVersions(pipeline)).toStrictEqual([]);
      expect(await store.getPipeline(pipeline)).toBeUndefined();
      expect(await store.getAlias(pipeline, 'prod')).toBeUndefined();
      expect(await store.listAliases(pipeline)).toStrictEqual([]);
      expect(await store.aliasHistory(pipeline, 'prod')).toStrictEqual([]);
      expect((await store.listPipelines()).map((p) => p.name)).not.toContain(pipeline);
    });

    it('summarizes pipelines: latest version, count, aliases, description, times', async () => {
      const [described, plain] = [freshPipeline(), freshPipeline()];
      const first = newVersion(described, 1);
      await store.createVersion(first);
      await store.createVersion(newVersion(described, 2));
      await store.setAlias({ pipeline: described, alias: 'prod', version: 1, actor: 'alice' });
      const staging = await store.setAlias({ pipeline: described, alias: 'staging', version: 2, actor: 'alice' });
      const bare = newVersion(plain, 1);
      delete bare.manifest.description;
      await store.createVersion(bare);

      const summary = await store.getPipeline(described);
      expect(summary).toStrictEqual({
        name: described,
        description: newVersion(described, 2).manifest.description,
        latestVersion: 2,
        versionCount: 2,
        aliases: { prod: 1, staging: 2 },
        createdAt: first.createdAt,
        updatedAt: staging.updatedAt,
      });
      const plainSummary = await store.getPipeline(plain);
      expect(plainSummary).toStrictEqual({
        name: plain,
        description: null,
        latestVersion: 1,
        versionCount: 1,
        aliases: {},
        createdAt: bare.createdAt,
        updatedAt: bare.createdAt,
      });
      const listed = await store.listPipelines();
      expect(listed.find((p) => p.name === described)).toStrictEqual(summary);
      expect(listed.find((p) => p.name === plain)).toStrictEqual(plainSummary);
    });

    it('stores tokens and finds them by hash', async () => {
      const before = await store.countTokens();
      const [a, b] = [newToken(), newToken()];
      await store.createToken(a);
      await store.createToken(b);

      expect(await store.countTokens()).toBe(before + 2);
      expect(await store.findTokenByHash(a.hash)).toStrictEqual(a);
      expect(await store.findTokenByHash(b.hash)).toStrictEqual(b);
      expect(await store.findTokenByHash(`sha256:${hexOf(0)}`)).toBeUndefined();
      await expect(store.createToken({ ...newToken(), hash: a.hash })).rejects.toThrow();
      expect(await store.countTokens()).toBe(before + 2);
    });

    it('keeps everything across close and reopen', async () => {
      const pipeline = freshPipeline();
      const tok = newToken();
      const writer = open();
      try {
        await writer.migrate();
        await writer.createVersion(newVersion(pipeline, 1));
        await writer.createVersion(newVersion(pipeline, 2));
        await writer.setAlias({ pipeline, alias: 'prod', version: 2, actor: 'alice' });
        await writer.createToken(tok);
      } finally {
        await writer.close();
      }

      const reader = open();
      try {
        await reader.migrate();
        expect(await reader.listVersions(pipeline)).toStrictEqual([2, 1].map((n) => ({ ...newVersion(pipeline, n), version: n })));
        expect(await reader.getAlias(pipeline, 'prod')).toMatchObject({ version: 2, updatedBy: 'alice' });
        expect(await reader.aliasHistory(pipeline, 'prod')).toHaveLength(1);
        expect(await reader.findTokenByHash(tok.hash)).toStrictEqual(tok);
        expect((await reader.createVersion(newVersion(pipeline, 3))).version.version).toBe(3);
      } finally {
        await reader.close();
      }
    });
  });
}
