import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayError, type VersionRecord } from '@slipway/core';
import { createOnnxRuntime } from '@slipway/runtime';
import { createInlineHost } from './inline-host.js';
import { createModelCache, type ModelCache, type ModelCacheOptions } from './model-cache.js';
import { matmulInputs, matmulModel, matmulModelOf, MiB, rejection, versionRecord } from './testing/host-models.js';
import { createThreadHost } from './thread-host.js';
import { versionKey } from './types.js';

const small = matmulModelOf(2 * MiB); // 724 × 724
const SMALL_N = 724;

interface Harness {
  cache: ModelCache;
  fetches: string[];
  loads: string[];
  evictions: string[];
  unloads: string[];
}

const caches: ModelCache[] = [];
/** Loads after which the cache held more than its budget; must stay empty. */
const overBudget: string[] = [];

function harness(options: Partial<ModelCacheOptions> & { budgetBytes: number; models?: (key: string) => Uint8Array }): Harness {
  const h: Harness = { cache: undefined as unknown as ModelCache, fetches: [], loads: [], evictions: [], unloads: [] };
  const { models = () => small, events = {}, ...rest } = options;
  h.cache = createModelCache({
    hosts: { inline: createInlineHost(createOnnxRuntime()), threads: [] },
    fetchModel: (record) => {
      h.fetches.push(versionKey(record));
      // A copy, as a thread host takes the buffer it is sent.
      return Promise.resolve(models(versionKey(record)).slice());
    },
    events: {
      load: (key) => {
        h.loads.push(key);
        if (h.cache.usedBytes() > options.budgetBytes) overBudget.push(`${key}: ${h.cache.usedBytes()} > ${options.budgetBytes}`);
      },
      evict: (key, bytes) => {
        h.evictions.push(key);
        events.evict?.(key, bytes);
      },
      unload: (key) => h.unloads.push(key),
      hotSetError: (error) => events.hotSetError?.(error),
    },
    ...rest,
  });
  caches.push(h.cache);
  return h;
}

const rec = (version: number, pipeline = 'p'): VersionRecord => versionRecord(pipeline, version);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function use(cache: ModelCache, version: number): Promise<void> {
  const lease = await cache.acquire(rec(version));
  lease.release();
}

beforeAll(async () => {
  // onnxruntime's one-time set-up (environment, thread pools) would otherwise be measured
  // as part of the first version loaded.
  const host = createInlineHost(createOnnxRuntime());
  await host.load('prime:1', matmulModel(8));
  await host.close();
});

afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  expect(overBudget.splice(0)).toEqual([]);
});

describe('createModelCache', () => {
  it('loads on demand, counts hits, and measures at least the model file', async () => {
    const { cache, loads } = harness({ budgetBytes: 64 * MiB });
    const lease = await cache.acquire(rec(1));
    expect(lease.version).toMatchObject({ key: 'p:1', hits: 1, inUse: 1, host: { id: 'inline' } });
    expect(lease.version.bytes).toBeGreaterThanOrEqual(small.byteLength);
    expect(lease.version.loadMs).toBeGreaterThan(0);
    const y = await lease.version.host.infer('p:1', { inputs: matmulInputs(SMALL_N, 2) });
    expect(y.get('y')?.shape).toEqual([2, SMALL_N]);
    lease.release();
    lease.release(); // idempotent
    await use(cache, 1);
    expect(cache.list()).toMatchObject([{ key: 'p:1', hits: 2, inUse: 0 }]);
    expect(loads).toEqual(['p:1']);
    expect(cache.usedBytes()).toBe(lease.version.bytes);
  });

  it('loads a cold version once for 20 concurrent requests', async () => {
    const { cache, fetches, loads } = harness({ budgetBytes: 64 * MiB });
    const leases = await Promise.all(Array.from({ length: 20 }, () => cache.acquire(rec(1))));
    expect(fetches).toEqual(['p:1']);
    expect(loads).toEqual(['p:1']);
    expect(new Set(leases.map((l) => l.version)).size).toBe(1);
    expect(leases[0]!.version).toMatchObject({ inUse: 20, hits: 20 });
    for (const lease of leases) lease.release();
    expect(leases[0]!.version.inUse).toBe(0);
  });

  it('evicts the least recently used versions first', async () => {
    const recency: string[] = []; // oldest first
    const wrong: string[] = [];
    const { cache, evictions } = harness({
      budgetBytes: 10 * MiB,
      events: {
        evict: (key) => {
          // The victim has just left the cache; it must have been the oldest of what was
          // loaded, not counting the version being loaded (evictions follow its measurement too).
          const expected = recency.find((k) => k === key || (k !== loading && cache.isLoaded(k)));
          if (expected !== key) wrong.push(`evicted ${key}, expected ${expected}`);
        },
      },
    });
    let loading = '';
    for (const version of [1, 2, 3, 1, 4, 5, 2, 6, 1, 7, 3, 8, 1, 2, 9]) {
      loading = `p:${version}`;
      await use(cache, version);
      if (recency.includes(`p:${version}`)) recency.splice(recency.indexOf(`p:${version}`), 1);
      recency.push(`p:${version}`);
    }
    expect(evictions.length).toBeGreaterThan(3);
    expect(wrong).toEqual([]);
  });

  it('keeps pinned versions until unpinned or their pin expires', async () => {
    const { cache, evictions } = harness({ budgetBytes: 16 * MiB });
    await cache.pin(rec(1), Infinity);
    await cache.pin(rec(2), Date.now() + 500);
    for (let v = 3; v <= 10; v++) await use(cache, v);
    expect(evictions.length).toBeGreaterThan(2);
    expect(evictions).not.toContain('p:1');
    expect(evictions).not.toContain('p:2');

    await sleep(550);
    for (let v = 11; v <= 14; v++) await use(cache, v);
    expect(evictions).toContain('p:2');
    expect(cache.isLoaded('p:1')).toBe(true);

    cache.unpin('p:1');
    for (let v = 15; v <= 18; v++) await use(cache, v);
    expect(evictions).toContain('p:1');
  });

  it('never evicts a version in use: its run completes, and it goes once released', async () => {
    const { cache, evictions } = harness({ budgetBytes: 12 * MiB });
    const lease = await cache.acquire(rec(1));
    const run = lease.version.host.infer('p:1', { inputs: matmulInputs(SMALL_N, 64) });
    for (let v = 2; v <= 8; v++) await use(cache, v);
    expect((await run).get('y')?.shape).toEqual([64, SMALL_N]);
    expect(evictions.length).toBeGreaterThan(2);
    expect(evictions).not.toContain('p:1');
    // Released is used: it is now the most recent, and goes after the others.
    lease.release();
    for (let v = 9; v <= 16; v++) await use(cache, v);
    expect(evictions).toContain('p:1');
  });

  it('keeps the budget after every load, whatever the mix of sizes', async () => {
    const sizes = [1, 2, 3, 1, 2, 1]; // MiB, by version
    const models = sizes.map((s) => matmulModelOf(s * MiB));
    const budgetBytes = 8 * MiB;
    const { cache, loads } = harness({ budgetBytes, models: (key) => models[Number(key.split(':')[1])]! });
    for (const version of [0, 1, 2, 3, 4, 5, 2, 0, 4, 1, 5, 3, 2, 2, 0, 1, 4]) {
      await use(cache, version);
      expect(cache.usedBytes()).toBeLessThanOrEqual(budgetBytes);
      expect(cache.usedBytes()).toBe(cache.list().reduce((sum, v) => sum + v.bytes, 0));
    }
    expect(loads.length).toBeGreaterThan(sizes.length);
  });

  it('refuses a version larger than the whole budget, naming its size, the budget and the fix', async () => {
    const { cache, fetches } = harness({ budgetBytes: 3 * MiB });
    const error = (await rejection(cache.acquire(rec(1)))) as SlipwayError;
    expect(error).toBeInstanceOf(SlipwayError);
    expect(error.code).toBe('unavailable');
    expect(error.message).toBe(
      'version p:1 needs 4.0 MiB (estimated as 2× its model file) but the model memory budget is 3.0 MiB; raise the budget with --model-memory or SLIPWAY_MODEL_MEMORY',
    );
    expect(error.details).toMatchObject({ version: 'p:1', budgetBytes: 3 * MiB });
    expect(cache.isLoaded('p:1')).toBe(false);
    expect(cache.list()[0]?.inUse ?? 0).toBe(0);
    // Not remembered as failed: the next request tries again.
    await rejection(cache.acquire(rec(1)));
    expect(fetches).toEqual(['p:1', 'p:1']);
  });

  it('unloads a version that measures larger than the budget once loaded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-cache-'));
    const hotSetFile = join(dir, 'hot-set.json');
    // A hot set that remembers the version far smaller than it is.
    await writeFile(hotSetFile, JSON.stringify({ versions: [{ key: 'p:1', pipeline: 'p', version: 1, hits: 1, bytes: MiB }] }));
    const big = matmulModelOf(4 * MiB);
    const { cache } = harness({ budgetBytes: 3 * MiB, hotSetFile, models: () => big });
    await cache.restore(() => Promise.resolve(undefined));
    const error = (await rejection(cache.acquire(rec(1)))) as SlipwayError;
    expect(error.message).toMatch(/^version p:1 needs \d+\.\d MiB \(as measured at load\) but the model memory budget is 3\.0 MiB; raise the budget/);
    expect(cache.isLoaded('p:1')).toBe(false);
    expect(cache.usedBytes()).toBe(0);
    await rm(dir, { recursive: true });
  });

  it('refuses when versions in use hold the room, saying so', async () => {
    const { cache } = harness({ budgetBytes: 5 * MiB });
    const held = await cache.acquire(rec(1));
    const error = (await rejection(cache.acquire(rec(2)))) as SlipwayError;
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/^version p:2 needs 4\.0 MiB \(estimated as 2× its model file\) but \d+\.\d MiB of the 5\.0 MiB model memory budget is held by versions in use, pinned or unloading; retry when they are released/);
    held.release();
    await use(cache, 2);
    expect(cache.isLoaded('p:1')).toBe(false);
  });

  it('does not cache a failed load: the next request retries', async () => {
    let failures = 1;
    const cache = createModelCache({
      budgetBytes: 64 * MiB,
      hosts: { inline: createInlineHost(createOnnxRuntime()), threads: [] },
      fetchModel: () => (failures-- > 0 ? Promise.reject(new SlipwayError('artifact_corrupted', 'corrupted')) : Promise.resolve(small.slice())),
    });
    caches.push(cache);
    expect(((await rejection(cache.acquire(rec(1)))) as SlipwayError).code).toBe('artifact_corrupted');
    expect(cache.isLoaded('p:1')).toBe(false);
    await use(cache, 1);
    expect(cache.isLoaded('p:1')).toBe(true);
  });

  it('unloads on request, waiting for the version to be released', async () => {
    const { cache, unloads } = harness({ budgetBytes: 64 * MiB });
    const lease = await cache.acquire(rec(1));
    let unloaded = false;
    const unloading = cache.unload('p:1').then(() => (unloaded = true));
    await sleep(20);
    expect(unloaded).toBe(false);
    expect(cache.isLoaded('p:1')).toBe(true);
    lease.release();
    await unloading;
    expect(cache.isLoaded('p:1')).toBe(false);
    expect(unloads).toEqual(['p:1']);
    expect(cache.usedBytes()).toBe(0);
    await cache.unload('p:1'); // nothing loaded: nothing to do
  });

  it('warms a version without holding it', async () => {
    const { cache, loads } = harness({ budgetBytes: 64 * MiB });
    const warmed = await cache.warm(rec(1));
    expect(warmed).toMatchObject({ key: 'p:1', inUse: 0, hits: 0 });
    expect(warmed.warmupMs).toBeGreaterThan(0);
    await use(cache, 1);
    expect(loads).toEqual(['p:1']);
  });

  it('refuses requests once closed', async () => {
    const { cache } = harness({ budgetBytes: 64 * MiB });
    await use(cache, 1);
    await cache.close();
    expect(cache.usedBytes()).toBe(0);
    expect(((await rejection(cache.acquire(rec(1)))) as SlipwayError).code).toBe('unavailable');
  });
});

describe('createModelCache with thread hosts', () => {
  it('places small models inline and large ones on the thread holding the fewest bytes', async () => {
    const [a, b] = [createThreadHost({ id: 'thread-a' }), createThreadHost({ id: 'thread-b' })];
    const { cache } = harness({ budgetBytes: 64 * MiB, inlineMaxBytes: MiB, hosts: { inline: createInlineHost(createOnnxRuntime()), threads: [a, b] }, models: (key) => (key === 'p:3' ? matmulModel(64) : small) });
    const placed = [];
    for (const v of [1, 2, 3]) placed.push(await cache.warm(rec(v)));
    expect(placed.map((v) => v.host.id)).toEqual(['thread-a', 'thread-b', 'inline']);
    // Each thread's worker started before its first load was measured: the bytes are the model's.
    for (const v of placed.slice(0, 2)) expect(v.bytes).toBeLessThan(4 * small.byteLength);
  });

  it('forgets what a dead worker held, and loads it again on the next request', async () => {
    // The wiring a server does: a thread host reports to the cache it serves.
    const thread = createThreadHost({ id: 'thread-lost', onLost: (keys) => h.cache.forget(keys) });
    const h = harness({ budgetBytes: 64 * MiB, inlineMaxBytes: MiB, hosts: { inline: createInlineHost(createOnnxRuntime()), threads: [thread] } });
    const { cache } = h;
    await use(cache, 1);
    expect(cache.list()[0]?.host.id).toBe('thread-lost');
    await thread.terminate();
    expect(cache.isLoaded('p:1')).toBe(false);
    expect(cache.usedBytes()).toBe(0);
    const lease = await cache.acquire(rec(1));
    expect((await lease.version.host.infer('p:1', { inputs: matmulInputs(SMALL_N) })).get('y')?.shape).toEqual([1, SMALL_N]);
    lease.release();
    expect(h.loads).toEqual(['p:1', 'p:1']);
  });
});

describe('the hot set', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-hot-set-'));
  });
  afterAll(() => rm(dir, { recursive: true }));

  it('is persisted, and restored most-used first within the budget, ranked by use', async () => {
    const hotSetFile = join(dir, 'hot-set.json');
    const models: Record<string, Uint8Array> = { 'p:1': small, 'p:2': small, 'p:3': matmulModelOf(16 * MiB), 'p:4': matmulModelOf(4 * MiB) };
    const first = harness({ budgetBytes: 256 * MiB, hotSetFile, models: (key) => models[key]! });
    for (const [version, hits] of [[1, 3], [2, 5], [3, 1]] as const) for (let i = 0; i < hits; i++) await use(first.cache, version);
    await first.cache.close();

    const saved = (JSON.parse(await readFile(hotSetFile, 'utf8')) as { versions: { key: string; pipeline: string; version: number; hits: number; bytes: number }[] }).versions;
    const bytes = Object.fromEntries(saved.map((s) => [s.key, s.bytes]));
    expect(saved.map(({ key, pipeline, version, hits }) => ({ key, pipeline, version, hits }))).toEqual([
      { key: 'p:1', pipeline: 'p', version: 1, hits: 3 },
      { key: 'p:2', pipeline: 'p', version: 2, hits: 5 },
      { key: 'p:3', pipeline: 'p', version: 3, hits: 1 },
    ]);
    expect(bytes['p:3']).toBeGreaterThanOrEqual(16 * MiB);

    // Room for the two most used (and some slack), not for the 16 MiB one.
    const second = harness({ budgetBytes: bytes['p:1']! + bytes['p:2']! + 6 * MiB, hotSetFile, models: (key) => models[key]! });
    await second.cache.restore((pipeline, version) => Promise.resolve(versionRecord(pipeline, version)));
    expect(second.loads).toEqual(['p:2', 'p:1']);
    expect(second.fetches).toEqual(['p:2', 'p:1']);
    expect(second.cache.list().map((v) => [v.key, v.hits])).toEqual([
      ['p:2', 5],
      ['p:1', 3],
    ]);
    // The less used of the two restored versions is the first to make room.
    await use(second.cache, 4);
    expect(second.evictions[0]).toBe('p:1');
  });

  it('starts cold from a damaged file, and reports it', async () => {
    const hotSetFile = join(dir, 'damaged.json');
    await writeFile(hotSetFile, '{"versions": [');
    const errors: unknown[] = [];
    const { cache, loads } = harness({ budgetBytes: 64 * MiB, hotSetFile, events: { hotSetError: (error) => errors.push(error) } });
    await cache.restore(() => Promise.resolve(undefined));
    expect(loads).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});
