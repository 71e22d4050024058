/**
 * Slipway as the suites drive it: a server child (slipway-server.ts) with an admin token
 * of its own, and the calls a suite makes on it — push a package folder, move an alias,
 * cool a version down, list what is loaded, scrape `/metrics`.
 */
import { randomBytes } from 'node:crypto';
import type { ServingModelsResponse } from '@slipway/core';
import { type SlipwayClient, createClient, packPackage } from '@slipway/sdk';
import { EXAMPLES_DIR } from './paths.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

export interface SlipwayServer extends ServerProcess {
  /** `authorization: Bearer <admin token>`: every API call needs a token, inference included, so the load carries it. */
  readonly headers: Record<string, string>;
  /** Packs and pushes a package folder; resolves with the new version and the time the push took. */
  push(dir: string): Promise<{ version: number; ms: number; tarBytes: number }>;
  /** Moves `name@alias`; the server loads and warms the target before answering. Resolves with the time it took. */
  setAlias(name: string, alias: string, version: number): Promise<number>;
  /** Unloads a version (default the latest) and waits until it is no longer listed as loaded. */
  cooldown(name: string, version?: number): Promise<void>;
  models(): Promise<ServingModelsResponse>;
  metrics(): Promise<string>;
}

export interface SlipwayServerOptions {
  label?: string;
  /** Memory budget for loaded models, in bytes. Default: the server's (half the machine's memory). */
  modelMemory?: number;
}

const COOLDOWN_WAIT_MS = 10_000;

async function call(url: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(url, { ...init, headers });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return res;
}

/** Starts Slipway (examples deployed and warm) and returns it with its admin calls. */
export async function startSlipway(options: SlipwayServerOptions = {}): Promise<SlipwayServer> {
  const token = `bench_${randomBytes(24).toString('base64url')}`;
  const args = ['--examples-dir', EXAMPLES_DIR, '--admin-token', token];
  if (options.modelMemory !== undefined) args.push('--model-memory', String(Math.floor(options.modelMemory)));
  const server = await startServerProcess(options.label ?? 'slipway server', 'bench/slipway-server.ts', args);
  // Pushing a 200 MB model takes a while on a small machine.
  const client: SlipwayClient = createClient({ server: server.url, token, timeoutMs: 600_000 });
  const post = (path: string, body: unknown) =>
    call(server.url + path, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const slipway: SlipwayServer = {
    ...server,
    headers: { authorization: `Bearer ${token}` },
    async push(dir) {
      const tar = await packPackage(dir);
      const started = performance.now();
      const { version } = await client.push(tar);
      return { version: version.version, ms: performance.now() - started, tarBytes: tar.byteLength };
    },
    async setAlias(name, alias, version) {
      const started = performance.now();
      await client.setAlias(name, alias, version);
      return performance.now() - started;
    },
    async cooldown(name, version) {
      await post(`/v1/pipelines/${encodeURIComponent(name)}/cooldown`, version === undefined ? {} : { version });
      // A version with runs in flight unloads when they finish: wait for it.
      const deadline = Date.now() + COOLDOWN_WAIT_MS;
      const loaded = async () => (await slipway.models()).models.some((m) => m.pipeline === name && (version === undefined || m.version === version));
      while (await loaded()) {
        if (Date.now() > deadline) throw new Error(`${name} is still loaded ${COOLDOWN_WAIT_MS / 1000} s after its cooldown`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    models: () => client.servingModels(),
    metrics: async () => (await call(`${server.url}/metrics`, { token })).text(),
  };
  return slipway;
}
