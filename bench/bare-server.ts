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
import type { Datatype, InferRequest, InferResponse, JsonTensor } from '@slipway/core';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { serveUntilShutdown } from './child-lifecycle.js';

const INFER_PATH = /^\/v2\/models\/([^/]+)\/infer$/;

const DATATYPES: Partial<Record<Tensor.Type, Datatype>> = {
  float32: 'FP32',
  float64: 'FP64',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  bool: 'BOOL',
};

class BadRequest extends Error {}

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

function toOrt(input: JsonTensor): Tensor {
  if (input.datatype !== 'FP32') throw new BadRequest(`input "${input.name}": only FP32 is supported here, got ${input.datatype}`);
  return new Tensor('float32', Float32Array.from(input.data as number[]), input.shape);
}

function toJson(name: string, tensor: Tensor): JsonTensor {
  const datatype = DATATYPES[tensor.type];
  if (datatype === undefined) throw new Error(`output "${name}" has element type ${tensor.type}, which this baseline does not serialise`);
  const data = tensor.data as ArrayLike<number | bigint>;
  return { name, datatype, shape: [...tensor.dims], data: Array.from(data, Number) };
}

async function infer(session: InferenceSession, modelName: string, body: string): Promise<InferResponse> {
  let request: InferRequest;
  try {
    request = JSON.parse(body) as InferRequest;
  } catch {
    throw new BadRequest('the body is not JSON');
  }
  if (!Array.isArray(request.inputs)) throw new BadRequest('inputs must be an array of tensors');
  const feeds: Record<string, Tensor> = {};
  for (const input of request.inputs) feeds[input.name] = toOrt(input);
  const results = await session.run(feeds);
  return {
    model_name: modelName,
    model_version: '1',
    outputs: session.outputNames.map((name) => toJson(name, results[name] as Tensor)),
  };
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
  const session = await InferenceSession.create(values.model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });

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
