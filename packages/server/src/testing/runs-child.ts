/**
 * A server process for the kill test (async-runs-kill.test.ts): opens a runs app on the
 * data directory in argv[2] with a short lease, pushes a slow model, queues runs, prints
 * their ids as one JSON line and keeps running until it is killed.
 */
import { auth, packageTar, slowModel } from './fixtures.js';
import { openRunsApp } from './runs-app.js';

const dir = process.argv[2] ?? '';
const count = Number(process.argv[3] ?? '4');
const app = await openRunsApp(dir, { concurrency: 1, leaseMs: 400 });
const tar = await packageTar({ 'slipway.yaml': 'name: slow\n', 'model.onnx': slowModel(48) });
await app.app.inject({ method: 'POST', url: '/v1/pipelines', headers: { 'content-type': 'application/x-tar', ...auth }, payload: tar });
const inputs = { x: { shape: [8, 512], data: Array.from({ length: 8 * 512 }, (_, i) => (i % 13) / 13) } };
const ids: string[] = [];
for (let i = 0; i < count; i++) {
  const res = await app.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'slow', mode: 'async', inputs } });
  ids.push(res.json<{ id: string }>().id);
}
process.stdout.write(`${JSON.stringify(ids)}\n`);
setInterval(() => {}, 60_000);
