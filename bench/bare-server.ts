/**
 * The baseline Slipway is measured against: `node:http` and onnxruntime, nothing else.
 * It loads ONE .onnx file with the session options Slipway uses (CPU, all graph
 * optimisations, default threads) and answers `POST /v2/models/{name}/infer` as the Open
 * Inference Protocol says: parse the JSON body, wrap each FP32 input in a tensor of the
 * request's shape, run, and serialise every output. The same work as Slipway minus the
 * platform (registry lookup, validation, framework, logging).
 *
 *   node --import tsx bench/bare-server.ts --model examples/sensor-mlp/model.onnx --port 0
 *
 * prints its URL on stdout; see child-lifecycle.ts for how it ends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import type { InferRequest, InferResponse } from '@slipway/core';
import { InferenceSession } from 'onnxruntime-node';
import { serveUntilShutdown } from './child-lifecycle.js';
import { BadRequest, SESSION_OPTIONS, runSession } from './ort-baseline.js';

const INFER_PATH = /^\/v2\/models\/([^/]+)\/infer$/;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function infer(session: InferenceSession, modelName: string, body: string): Promise<InferResponse> {
  let request: InferRequest;
  try {
    request = JSON.parse(body) as InferRequest;
  } catch {
    throw new BadRequest('the body is not JSON');
  }
  if (!Array.isArray(request.inputs)) throw new BadRequest('inputs must be an array of tensors');
  return { model_name: modelName, model_version: '1', outputs: await runSession(session, request.inputs) };
}

async function handle(session: InferenceSession, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = req.method === 'POST' ? INFER_PATH.exec(req.url ?? '') : null;
  if (!match) return send(res, 404, { error: `no route ${req.method} ${req.url}` });
  try {
    send(res, 200, await infer(session, decodeURIComponent(match[1] ?? ''), await readBody(req)));
  } catch (error) {
    send(res, error instanceof BadRequest ? 400 : 500, { error: error instanceof Error ? error.message : String(error) });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, port: { type: 'string', default: '0' } } });
  if (values.model === undefined) throw new Error('--model <file.onnx> is required');
  const session = await InferenceSession.create(values.model, SESSION_OPTIONS);

  const server = createServer((req, res) => void handle(session, req, res));
  await new Promise<void>((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : Number(values.port);
  serveUntilShutdown(`http://127.0.0.1:${port}`, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await session.release();
  });
}

main().catch((error: unknown) => {
  console.error(`bare-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
