/**
 * Test fixtures for the server: real ONNX models written with the model kit, package
 * tars (including hostile ones), and an app wired to real SQLite, disk and onnxruntime.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Datatype, MetadataStore, RunObserver } from '@slipway/core';
import { buildOnnxModel } from '@slipway/modelkit';
import { createOnnxRuntime } from '@slipway/runtime';
import { createLocalArtifactStore, createSqliteMetadataStore } from '@slipway/store';
import { pack, type Pack } from 'tar-stream';
import type { DeploymentAppOptions } from '../deployment-wiring.js';
import { createApp, type GovernanceAppOptions, type SlipwayApp } from '../app.js';
import { hashToken } from '../auth.js';
import type { MonitoringAppOptions } from '../monitoring-service.js';
import type { AlertAppOptions } from '../alert-service.js';

export const TEST_TOKEN = 'test-admin-token-0123456789';

/** An Identity model `x → y` of one datatype with a dynamic batch dimension. */
export function identityModel(datatype: Datatype, shape: (number | string)[] = ['batch', 3]): Uint8Array {
  return buildOnnxModel({
    name: `identity_${datatype}`,
    inputs: [{ name: 'x', datatype, shape }],
    outputs: [{ name: 'y', datatype, shape }],
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
  });
}

/** Logistic model over 3 features: p(class 1) = sigmoid(x·w + b); outputs probabilities [n,2]. */
export function classifierModel(weights: number[] = [1, -1, 0.5], bias = 0): Uint8Array {
  return buildOnnxModel({
    name: 'tiny_classifier',
    inputs: [{ name: 'features', datatype: 'FP32', shape: ['batch', 3] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['batch', 2] }],
    initializers: [
      { name: 'w', datatype: 'FP32', dims: [3, 2], values: weights.flatMap((w) => [0, w]) },
      { name: 'b', datatype: 'FP32', dims: [2], values: [0, bias] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['features', 'w'], outputs: ['z'] },
      { op: 'Add', inputs: ['z', 'b'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: 1 } },
    ],
  });
}

/**
 * A deliberately slow model: `layers` MatMuls of [batch, 512] × [512, 512] sharing one
 * 1 MiB weight, so a run takes milliseconds and queues really form.
 */
export function slowModel(layers = 48): Uint8Array {
  const n = 512;
  const weight = new Float32Array(n * n).map((_, i) => ((i % 7) - 3) / (n * 4));
  return buildOnnxModel({
    name: 'slow',
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['batch', n] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: ['batch', n] }],
    initializers: [{ name: 'w', datatype: 'FP32', dims: [n, n], values: weight }],
    nodes: Array.from({ length: layers }, (_, i) => ({ op: 'MatMul', inputs: [i === 0 ? 'x' : `h${i}`, 'w'], outputs: [i === layers - 1 ? 'y' : `h${i + 1}`] })),
  });
}

export const CLASSIFIER_MANIFEST = `name: tiny
description: a tiny tabular classifier
model: model.onnx
tabular:
  input: features
  features:
    - { name: income, type: numeric }
    - { name: owner, type: boolean }
    - { name: score, type: numeric }
outputs:
  probabilities: probabilities
  classLabels: [repaid, default]
lineage:
  codeCommit: abc123
  dataset: { uri: s3://bucket/credit.csv, digest: "sha256:00ff" }
  parameters: { lr: 0.1, epochs: 10 }
  metrics: { auc: 0.81 }
`;

export interface TarEntry {
  name: string;
  content?: Uint8Array | string;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  linkname?: string;
}

export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const e of entries) {
    const content = typeof e.content === 'string' ? Buffer.from(e.content) : Buffer.from(e.content ?? new Uint8Array());
    const header: Parameters<Pack['entry']>[0] = { name: e.name, type: e.type ?? 'file', mtime: new Date(0), ...(e.linkname ? { linkname: e.linkname } : {}) };
    if (header.type === 'file') p.entry(header, content);
    else p.entry(header);
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function packageTar(files: Record<string, Uint8Array | string>): Promise<Buffer> {
  return tarOf(Object.entries(files).map(([name, content]) => ({ name, content })));
}

export function classifierPackage(manifest = CLASSIFIER_MANIFEST, model: Uint8Array = classifierModel()): Promise<Buffer> {
  return packageTar({ 'slipway.yaml': manifest, 'model.onnx': model });
}

export interface TestApp extends SlipwayApp {
  dir: string;
  /** The app's metadata store, for tests that look under the API. */
  store: MetadataStore;
  cleanup(): Promise<void>;
}

/** An app on a fresh SQLite file and artifact folder, with `TEST_TOKEN` as admin token. */
export async function createTestApp(options: { maxBodyBytes?: number; budgetBytes?: number; observers?: RunObserver[]; monitoring?: MonitoringAppOptions['monitoring']; governance?: GovernanceAppOptions; deployments?: DeploymentAppOptions; workerThreads?: number; alerts?: AlertAppOptions } = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-server-'));
  const store = createSqliteMetadataStore({ path: join(dir, 'slipway.db') });
  await store.migrate();
  await store.createToken({ id: 't1', name: 'tester', hash: hashToken(TEST_TOKEN), role: 'admin', createdAt: new Date().toISOString() });
  const artifacts = createLocalArtifactStore({ dir: join(dir, 'artifacts') });
  const built = createApp({
    store,
    artifacts,
    runtime: createOnnxRuntime(),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxPackageBytes: 64 * 1024 * 1024,
    logLevel: 'silent',
    observers: options.observers ?? [],
    ...(options.monitoring === undefined ? {} : { monitoring: options.monitoring }),
    ...options.governance,
    ...(options.deployments === undefined ? {} : { deployments: options.deployments }),
    ...(options.alerts === undefined ? {} : { alerts: options.alerts }),
    serving: { workerThreads: options.workerThreads ?? 1, ...(options.budgetBytes === undefined ? {} : { budgetBytes: options.budgetBytes }) },
  });
  await built.app.ready();
  return {
    ...built,
    dir,
    store,
    async cleanup() {
      await built.app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const auth = { authorization: `Bearer ${TEST_TOKEN}` };

export async function push(t: TestApp, body: Buffer, headers: Record<string, string> = auth) {
  return t.app.inject({ method: 'POST', url: '/v1/pipelines', headers: { 'content-type': 'application/x-tar', ...headers }, payload: body });
}
