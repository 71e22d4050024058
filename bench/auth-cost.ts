/**
 * What authentication costs per request: the same server answering a public route
 * (`/v2/health/live`, no token) and an authenticated one with an equally trivial handler
 * (`/v2`, token checked through the cache), loaded alternately with autocannon, plus the
 * cached token lookup alone in a loop. Not part of `npm run bench`; run it by hand:
 *
 *   node --import tsx bench/auth-cost.ts [seconds per run, default 3] [connections, default 16]
 */
import autocannon from 'autocannon';
import { createTestApp, TEST_TOKEN } from '../packages/server/src/testing/fixtures.js';

const seconds = Number(process.argv[2] ?? 3);
const connections = Number(process.argv[3] ?? 16);

async function load(url: string, headers: Record<string, string>): Promise<number> {
  const result = await autocannon({ url, headers, connections, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

const t = await createTestApp();
try {
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const auth = { authorization: `Bearer ${TEST_TOKEN}` };
  const rows: { route: string; rps: number[] }[] = [
    { route: 'GET /v2/health/live (public)', rps: [] },
    { route: 'GET /v2 (token)', rps: [] },
  ];
  await load(`${base}/v2`, auth);
  for (let rep = 0; rep < 5; rep++) {
    rows[0]!.rps.push(await load(`${base}/v2/health/live`, {}));
    rows[1]!.rps.push(await load(`${base}/v2`, auth));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const r of rows) console.log(`${r.route.padEnd(32)} median ${median(r.rps).toFixed(0)} req/s  (${r.rps.map((x) => x.toFixed(0)).join(', ')})`);
  const pub = median(rows[0]!.rps);
  const authed = median(rows[1]!.rps);
  // An upper bound: besides the token check, `/v2` has an async handler and a larger answer than the probe.
  console.log(`trivial authenticated route vs public probe: +${((1 / authed - 1 / pub) * 1e6).toFixed(1)} µs of server time per request at c=${connections} (upper bound of the auth cost)`);

  // The same figure against a real run: a one-row inference on a tiny classifier, token included.
  const { classifierPackage, push } = await import('../packages/server/src/testing/fixtures.js');
  await push(t, await classifierPackage());
  const inferred = await autocannon({
    url: `${base}/v2/models/tiny/infer`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 0, 1] }] }),
    connections,
    duration: seconds,
  });
  console.log(`POST /v2/models/tiny/infer (token): ${inferred.requests.average.toFixed(0)} req/s, ${((1 / inferred.requests.average) * 1e6).toFixed(0)} µs of server time per run`);

  const n = 200_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) await t.identity.resolve(TEST_TOKEN);
  console.log(`cached token lookup (sha256 + cache hit + expiry check): ${(((performance.now() - started) / n) * 1000).toFixed(2)} µs`);
  // The whole check a run pays: authenticate (cached) + project of the pipeline (cached) + permission, on a fresh request object each time.
  const requireStarted = performance.now();
  for (let i = 0; i < n; i++) {
    const req = { headers: auth, method: 'POST', url: '/v2/models/tiny/infer', routeOptions: { url: '/v2/models/:m/infer' } } as unknown as Parameters<typeof t.access.require>[0];
    await t.access.require(req, 'run', { pipeline: 'tiny' });
  }
  console.log(`access.require(run, pipeline) per request: ${(((performance.now() - requireStarted) / n) * 1000).toFixed(2)} µs`);
} finally {
  await t.cleanup();
}
