import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlipwayError } from '@slipway/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { createClient } from './client.js';
import { resolveClientOptions } from './client-options.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Handler = (req: Seen, res: ServerResponse) => void;

const servers: Server[] = [];

/** Starts a server on a free port that records each request and answers with `handler`. */
async function serve(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(request);
      handler(request, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const reply = (status: number, body: unknown, contentType = 'application/json'): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': contentType });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

async function failure(promise: Promise<unknown>): Promise<SlipwayError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SlipwayError)) throw new Error(`expected a SlipwayError, got ${String(error)}`);
  return error;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('resolveClientOptions', () => {
  it('takes options over env over defaults', () => {
    expect(resolveClientOptions({}, {})).toMatchObject({ server: 'http://127.0.0.1:8080', token: undefined, timeoutMs: 60_000 });
    const env = { SLIPWAY_SERVER: 'http://env:1/', SLIPWAY_TOKEN: 'env-token' };
    expect(resolveClientOptions({}, env)).toMatchObject({ server: 'http://env:1', token: 'env-token' });
    expect(resolveClientOptions({ server: 'https://flag', token: 'flag-token' }, env)).toMatchObject({ server: 'https://flag', token: 'flag-token' });
  });

  it('names a server that is not an http URL', () => {
    expect(() => resolveClientOptions({ server: 'localhost:8080' }, {})).toThrow(/server: "localhost:8080" is not an http\(s\) URL/);
  });
});

describe('createClient', () => {
  it('pushes the tar with its content type and the bearer token', async () => {
    const pushed = { ref: 'demo:v1', created: true, version: { pipeline: 'demo', version: 1 } };
    const { url, seen } = await serve(reply(201, pushed));
    const client = createClient({ server: url, token: 's3cret' }, {});
    expect(await client.push(new Uint8Array([1, 2, 3]))).toEqual(pushed);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/pipelines' });
    expect(seen[0]?.headers).toMatchObject({ 'content-type': 'application/x-tar', authorization: 'Bearer s3cret' });
    expect([...(seen[0]?.body ?? [])]).toEqual([1, 2, 3]);
  });

  it('sends no authorization header without a token', async () => {
    const { url, seen } = await serve(reply(200, { pipelines: [] }));
    expect(await createClient({ server: url }, {}).listPipelines()).toEqual([]);
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('encodes refs and sends JSON bodies', async () => {
    const { url, seen } = await serve(reply(200, { pipeline: 'demo', alias: 'production', version: 2 }));
    const client = createClient({ server: url }, {});
    await client.resolve('demo@production');
    await client.setAlias('demo', 'production', 'v2');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /v1/versions/demo%40production', 'PUT /v1/pipelines/demo/aliases/production']);
    expect(seen[1]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[1]?.body.toString() ?? '')).toEqual({ version: 'v2' });
  });

  it('turns a management error body into an ApiError with the server code, details and request id', async () => {
    const { url } = await serve(
      reply(422, { error: { code: 'invalid_package', message: 'package rejected: slipway.yaml: name: bad', details: { issues: [] }, requestId: 'req-7' } }),
    );
    const error = await failure(createClient({ server: url }, {}).push(new Uint8Array()));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid_package', message: 'package rejected: slipway.yaml: name: bad', details: { issues: [] }, status: 422, requestId: 'req-7' });
  });

  it('maps OIP errors, unknown codes and non-JSON answers by status', async () => {
    const cases: [number, unknown, string, string][] = [
      [400, { error: 'input "x" has shape [2] but the model needs [1,4]' }, 'invalid_input', 'input "x" has shape [2] but the model needs [1,4]'],
      [404, { error: 'model "nope" not found' }, 'not_found', 'model "nope" not found'],
      [409, { error: { code: 'from_the_future', message: 'try later' } }, 'conflict', 'try later'],
      [429, { error: 'the queue of demo:v1 is full (serving.maxQueue 256)' }, 'overloaded', 'the queue of demo:v1 is full (serving.maxQueue 256)'],
      [502, '<html>Bad Gateway</html>', 'unavailable', 'server answered 502 Bad Gateway'],
      [500, '', 'internal', 'server answered 500 Internal Server Error'],
    ];
    for (const [status, body, code, message] of cases) {
      const { url } = await serve(reply(status, body, typeof body === 'string' ? 'text/html' : 'application/json'));
      const error = await failure(createClient({ server: url }, {}).infer('demo', { inputs: [] }));
      expect({ code: error.code, message: error.message }).toEqual({ code, message });
    }
  });

  it('says how to start a server when the connection is refused', async () => {
    const { url } = await serve(reply(200, {}));
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const error = await failure(createClient({ server: url }, {}).listPipelines());
    expect(error.code).toBe('unavailable');
    expect(error.message).toBe(
      `cannot reach the Slipway server at ${url} (ECONNREFUSED); start one with \`npm start\` (in the Slipway repository) or \`slipway server\`, or point SLIPWAY_SERVER at a running one`,
    );
  });

  it('fails as unavailable when the server does not answer in time', async () => {
    const { url } = await serve(() => undefined);
    const error = await failure(createClient({ server: url, timeoutMs: 50 }, {}).listPipelines());
    expect(error).toMatchObject({ code: 'unavailable', message: `the Slipway server at ${url} did not answer within 50 ms` });
  });

  it('refuses a 2xx answer that is not JSON', async () => {
    const { url } = await serve(reply(200, 'hello', 'text/plain'));
    const error = await failure(createClient({ server: url }, {}).listPipelines());
    expect(error.code).toBe('internal');
    expect(error.message).toContain('without a JSON body; is that a Slipway server?');
  });

  it('reads OIP health and readiness from the status, and throws not_found for unknown models', async () => {
    const { url, seen } = await serve((req, res) => {
      const status = req.url === '/v2/health/ready' ? 503 : req.url.startsWith('/v2/models/nope') ? 404 : 200;
      reply(status, status === 404 ? { error: 'model "nope" not found' } : { ready: req.url.includes('/versions/1/') ? false : true })(req, res);
    });
    const client = createClient({ server: url }, {});
    expect(await client.health()).toEqual({ live: true, ready: false });
    expect(await client.modelReady('demo', 2)).toBe(true);
    expect(await client.modelReady('demo', 1)).toBe(false);
    expect((await failure(client.modelReady('nope'))).code).toBe('not_found');
    expect(seen.map((s) => s.url)).toContain('/v2/models/demo/versions/2/ready');
  });

  it('sends a run deadline as x-slipway-timeout-ms, and only when given', async () => {
    const { url, seen } = await serve(reply(200, { outputs: [] }));
    const client = createClient({ server: url }, {});
    await client.run({ pipeline: 'demo', inputs: {} }, { timeoutMs: 250 });
    await client.infer('demo', { inputs: [] }, 2, { timeoutMs: 1500 });
    await client.run({ pipeline: 'demo', inputs: {} });
    expect(seen.map((s) => [s.url, s.headers['x-slipway-timeout-ms']])).toEqual([
      ['/v1/runs', '250'],
      ['/v2/models/demo/versions/2/infer', '1500'],
      ['/v1/runs', undefined],
    ]);
  });

  it('keeps the server code of overload and deadline errors', async () => {
    const cases: [number, string][] = [
      [429, 'overloaded'],
      [503, 'queue_timeout'],
      [504, 'deadline_exceeded'],
    ];
    for (const [status, code] of cases) {
      const { url } = await serve(reply(status, { error: { code, message: 'busy', requestId: 'req-1' } }));
      const error = await failure(createClient({ server: url }, {}).run({ pipeline: 'demo', inputs: {} }, { timeoutMs: 10 }));
      expect(error).toMatchObject({ code, status });
    }
  });

  it('splits a warmup or cooldown ref into the path name and the body version', async () => {
    const loaded = { pipeline: 'demo', version: 3, host: 'inline', bytes: 2048, loadMs: 4.2, warmupMs: 0.3, hits: 0, pinnedUntil: 'cooldown' };
    const { url, seen } = await serve((req, res) => reply(200, req.url.endsWith('/cooldown') ? { pipeline: 'demo', version: 3, loaded: false } : loaded)(req, res));
    const client = createClient({ server: url, token: 't' }, {});
    expect(await client.warmup('demo:v3')).toEqual(loaded);
    await client.warmup('demo@production', { durationSeconds: 600 });
    await client.warmup('demo');
    expect(await client.cooldown('demo:3')).toEqual({ pipeline: 'demo', version: 3, loaded: false });
    await client.cooldown('demo@production');
    expect(seen.map((s) => [`${s.method} ${s.url}`, JSON.parse(s.body.toString()) as unknown])).toEqual([
      ['POST /v1/pipelines/demo/warmup', { version: 3 }],
      ['POST /v1/pipelines/demo/warmup', { version: '@production', durationSeconds: 600 }],
      ['POST /v1/pipelines/demo/warmup', {}],
      ['POST /v1/pipelines/demo/cooldown', { version: 3 }],
      ['POST /v1/pipelines/demo/cooldown', { version: '@production' }],
    ]);
    expect(seen[0]?.headers.authorization).toBe('Bearer t');
  });

  it('refuses a malformed warmup ref before sending anything', async () => {
    const { url, seen } = await serve(reply(200, {}));
    const error = await failure(createClient({ server: url }, {}).warmup('demo:latest'));
    expect(error).toMatchObject({ code: 'invalid_input', message: 'ref: "latest" is not a version; write v1, v2, … (or 1, 2, …)' });
    expect(seen).toEqual([]);
  });

  it('reads the loaded versions, and the metrics as text', async () => {
    const models = { budgetBytes: 8 * 1024 ** 3, usedBytes: 2048, models: [] };
    const metrics = '# HELP slipway_runs_total Runs\nslipway_runs_total{pipeline="demo",outcome="ok"} 3\n';
    const { url, seen } = await serve((req, res) =>
      req.url === '/metrics' ? reply(200, metrics, 'text/plain; version=0.0.4')(req, res) : reply(200, models)(req, res),
    );
    const client = createClient({ server: url }, {});
    expect(await client.servingModels()).toEqual(models);
    expect(await client.metrics()).toBe(metrics);
    expect(seen.map((s) => [s.url, s.headers.accept])).toEqual([
      ['/v1/serving/models', 'application/json'],
      ['/metrics', 'text/plain'],
    ]);
  });

  it('turns a failed metrics call into an ApiError', async () => {
    const { url } = await serve(reply(404, { error: { code: 'not_found', message: 'no route GET /metrics', requestId: 'req-2' } }));
    expect(await failure(createClient({ server: url }, {}).metrics())).toMatchObject({ code: 'not_found', status: 404, requestId: 'req-2' });
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch: typeof fetch = (input) => {
      calls.push(input instanceof Request ? input.url : input.toString());
      return Promise.resolve(Response.json({ name: 'slipway', version: '0.1.0', extensions: [] }));
    };
    const client = createClient({ server: 'http://example.test', fetch: fakeFetch }, {});
    expect((await client.serverMetadata()).name).toBe('slipway');
    expect(calls).toEqual(['http://example.test/v2']);
  });
});
