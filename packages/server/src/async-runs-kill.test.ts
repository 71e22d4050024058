/**
 * The fault the issue names: a server killed (SIGKILL, no shutdown) with async runs
 * queued and one running. A new server on the same database file runs every one of them:
 * the queued ones at once, the running one when the dead server's lease expires.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '@slipway/core';
import { createSqliteMetadataStore } from '@slipway/store';
import { afterAll, describe, expect, it } from 'vitest';
import { auth } from './testing/fixtures.js';
import { eventually, openRunsApp } from './testing/runs-app.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['core', 'store', 'runtime', 'serving', 'sdk', 'server', 'modelkit', 'monitoring'];

let dir: string;
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('a server killed with async runs queued', () => {
  it('loses none: a new server on the same database runs them all', async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-kill-'));
    // The child runs this checkout's sources (not built dist) through tsx, like vitest does.
    const tsconfig = join(dir, 'tsconfig.json');
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.base.json'),
        compilerOptions: { baseUrl: ROOT, paths: Object.fromEntries(PACKAGES.map((p) => [`@slipway/${p}`, [`packages/${p}/src/index.ts`]])) },
      }),
    );
    const data = join(dir, 'data');
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'packages/server/src/testing/runs-child.ts'), data, '4'], {
      cwd: ROOT,
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child?.stdout ?? process.stdin }).once('line', resolve);
      child?.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    const ids = JSON.parse(line) as string[];
    expect(ids).toHaveLength(4);
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));

    // What the dead server left, read before a new server touches it.
    const left = createSqliteMetadataStore({ path: join(data, 'slipway.db') });
    const atKill = await Promise.all(ids.map(async (id) => (await left.getRun(id))?.state));
    await left.close();
    expect(atKill.filter((s) => s === 'queued').length).toBeGreaterThan(0);

    const app = await openRunsApp(data, { concurrency: 2, pollMs: 50 });
    try {
      const runs = await Promise.all(
        ids.map((id) =>
          eventually(async () => {
            const run = (await app.app.inject({ url: `/v1/runs/${id}`, headers: auth })).json<RunRecord>();
            return run.state === 'completed' || run.state === 'failed' ? run : undefined;
          }, 30_000),
        ),
      );
      expect(runs.map((r) => r.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
      expect(runs.every((r) => r.version === 1)).toBe(true);
      // A run the dead server was executing ran again once its lease expired.
      runs.forEach((r, i) => expect(r.executions).toBe(atKill[i] === 'running' ? 2 : 1));
    } finally {
      await app.close();
    }
  }, 60_000);
});
