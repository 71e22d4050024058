/**
 * Test support for async runs: an app on a given data directory, so a test can close it
 * and start another on the same database file (restart recovery), with run settings
 * (callback allow-list, short leases, fast retries) of its own.
 */
import { join } from 'node:path';
import type { MetadataStore, RunObserver } from '@slipway/core';
import { buildOnnxModel } from '@slipway/modelkit';
import { createOnnxRuntime } from '@slipway/runtime';
import { createLocalArtifactStore, createSqliteMetadataStore } from '@slipway/store';
import { createApp, type SlipwayApp } from '../app.js';
import { hashToken } from '../auth.js';
import type { RunServiceSettings } from '../run-service.js';
import { TEST_TOKEN } from './fixtures.js';

export interface RunsTestApp extends SlipwayApp {
  store: MetadataStore;
  close(): Promise<void>;
}

export interface RunsAppOptions {
  maxBodyBytes?: number;
  /** Default SQLite in `dir`; pass a PostgreSQL store to share one queue between apps. */
  store?: MetadataStore;
  observers?: RunObserver[];
}

export async function openRunsApp(dir: string, runs: RunServiceSettings = {}, options: RunsAppOptions = {}): Promise<RunsTestApp> {
  const store = options.store ?? createSqliteMetadataStore({ path: join(dir, 'slipway.db') });
  await store.migrate();
  if ((await store.countTokens()) === 0) {
    await store.createToken({ id: 't1', name: 'tester', hash: hashToken(TEST_TOKEN), role: 'admin', createdAt: new Date().toISOString() });
  }
  const built = createApp({
    store,
    artifacts: createLocalArtifactStore({ dir: join(dir, 'artifacts') }),
    runtime: createOnnxRuntime(),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxPackageBytes: 64 * 1024 * 1024,
    logLevel: 'silent',
    serving: { workerThreads: 1 },
    runs,
    observers: options.observers ?? [],
  });
  await built.app.ready();
  return {
    ...built,
    store,
    async close() {
      await built.app.close();
      await store.close();
    },
  };
}

/** Polls `check` every 20 ms until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A model that fails while running for an index outside 0..2: `Gather` of a 3-element table by input `i` (INT64 [batch]). */
export function failingModel(): Uint8Array {
  return buildOnnxModel({
    name: 'gather',
    inputs: [{ name: 'i', datatype: 'INT64', shape: ['batch'] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch'] }],
    initializers: [{ name: 'd', datatype: 'FP32', dims: [3], values: [1, 2, 3] }],
    nodes: [{ op: 'Gather', inputs: ['d', 'i'], outputs: ['y'] }],
  });
}
