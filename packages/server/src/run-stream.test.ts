import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord, RunStreamOutput, RunsResponse } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatServerSentEvent } from './run-stream.js';
import { auth, classifierPackage, identityModel, packageTar, slowModel } from './testing/fixtures.js';
import { type RunsTestApp, eventually, failingModel, openRunsApp } from './testing/runs-app.js';

let dir: string;
let t: RunsTestApp;
let base: string;

const FEATURES = 512;
const slowTabular = `name: slowtab\nmodel: model.onnx\ntabular:\n  input: x\n  features:\n${Array.from({ length: FEATURES }, (_, i) => `    - { name: f${i}, type: numeric }`).join('\n')}\n`;
const slowRecord = Object.fromEntries(Array.from({ length: FEATURES }, (_, i) => [`f${i}`, (i % 7) / 7]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-stream-'));
  t = await openRunsApp(dir);
  for (const tar of [
    await classifierPackage(),
    await packageTar({ 'slipway.yaml': 'name: echo\n', 'model.onnx': identityModel('INT64', ['batch', 2]) }),
    await packageTar({ 'slipway.yaml': slowTabular, 'model.onnx': slowModel(48) }),
    await packageTar({ 'slipway.yaml': 'name: gather\n', 'model.onnx': failingModel() }),
  ]) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/pipelines', headers: { 'content-type': 'application/x-tar', ...auth }, payload: tar });
    expect(res.statusCode).toBe(201);
  }
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

interface Event {
  event: string;
  data: unknown;
}

/** Reads server-sent events off a response body, calling `onEvent` as each arrives. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (e: Event) => boolean | void): Promise<Event[]> {
  const events: Event[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as unknown;
        events.push({ event, data });
        if (onEvent({ event, data }) === false) return events;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

const stream = (payload: object, signal?: AbortSignal) =>
  fetch(`${base}/v1/runs`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'stream', ...payload }), ...(signal ? { signal } : {}) });

describe('streaming runs', () => {
  it('streams one output event per record, then done with the stored run record', async () => {
    const records = [{ income: 5, owner: false, score: 0 }, { income: -5, owner: false, score: 0 }, { income: 0, owner: true, score: 0 }];
    const res = await stream({ pipeline: 'tiny', inputs: records });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(res.body as ReadableStream<Uint8Array>, () => {});
    expect(events.map((e) => e.event)).toEqual(['output', 'output', 'output', 'done']);
    const outputs = events.slice(0, 3).map((e) => e.data as RunStreamOutput);
    expect(outputs.map((o) => [o.from, o.count, o.version])).toEqual([[0, 1, 1], [1, 1, 1], [2, 1, 1]]);
    expect(outputs.map((o) => o.predictions?.[0]?.label)).toEqual(['default', 'repaid', 'repaid']);
    const done = events[3]?.data as RunRecord;
    expect(done).toMatchObject({ mode: 'stream', state: 'completed', pipeline: 'tiny', version: 1, error: null, inputs: records, createdBy: 'tester' });
    expect(done.id).toBe(res.headers.get('x-slipway-run-id'));
    expect(done.outputs).toEqual(outputs);
    expect((await t.app.inject({ url: `/v1/runs/${done.id}`, headers: auth })).json<RunRecord>()).toEqual(done);
  });

  it('streams a non-tabular run as one event', async () => {
    const res = await stream({ pipeline: 'echo', inputs: { x: [[1, 2], [3, 4]] } });
    const events = await readEvents(res.body as ReadableStream<Uint8Array>, () => {});
    expect(events.map((e) => e.event)).toEqual(['output', 'done']);
    expect(events[0]?.data).toEqual({ from: 0, count: 1, version: 1, outputs: { y: [[1, 2], [3, 4]] } });
  });

  it('ends with an error event carrying the failed record when the model fails', async () => {
    const res = await stream({ pipeline: 'gather', inputs: { i: [9] } });
    expect(res.status).toBe(200);
    const events = await readEvents(res.body as ReadableStream<Uint8Array>, () => {});
    expect(events.map((e) => e.event)).toEqual(['error']);
    const data = events[0]?.data as { code: string; message: string; run: RunRecord };
    expect(data).toMatchObject({ code: 'pipeline_error', run: { state: 'failed', error: { class: 'pipeline_error' }, outputs: null } });
  });

  it.each([
    ['bad inputs', { pipeline: 'tiny', inputs: { income: 1 } }, 400, /inputs\[0\]\.owner: is missing/],
    ['a callback', { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 0 }, callbackUrl: 'https://example.com/x' }, 400, /callbackUrl: only async runs take a callback/],
    ['an unknown pipeline', { pipeline: 'nope', inputs: {} }, 404, /pipeline "nope" not found/],
  ])('answers %s with a JSON error before streaming', async (_name, payload, status, pattern) => {
    const res = await stream(payload);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(pattern);
  });

  it('streams every record of a model that runs on a worker thread', async () => {
    const res = await stream({ pipeline: 'slowtab', inputs: [slowRecord, slowRecord, slowRecord] });
    const events = await readEvents(res.body as ReadableStream<Uint8Array>, () => {});
    expect(events.map((e) => e.event)).toEqual(['output', 'output', 'output', 'done']);
    const first = (events[0]?.data as RunStreamOutput).outputs;
    expect((events[2]?.data as RunStreamOutput).outputs).toEqual(first);
  });

  it('stops the run when the client disconnects, keeping a cancelled record', async () => {
    const controller = new AbortController();
    const res = await stream({ pipeline: 'slowtab', inputs: Array.from({ length: 40 }, () => slowRecord) }, controller.signal);
    const runId = res.headers.get('x-slipway-run-id') ?? '';
    const seen = await readEvents(res.body as ReadableStream<Uint8Array>, () => false);
    expect(seen.map((e) => e.event)).toEqual(['output']);
    controller.abort();
    const run = await eventually(async () => {
      const list = (await t.app.inject({ url: '/v1/runs?pipeline=slowtab', headers: auth })).json<RunsResponse>();
      return list.runs.find((r) => r.id === runId);
    });
    expect(run.state).toBe('cancelled');
    expect((run.outputs as unknown[]).length).toBeLessThan(40);
    // The version's queue holds nothing of the abandoned run: the next run answers at once.
    const after = await stream({ pipeline: 'slowtab', inputs: [slowRecord] });
    expect((await readEvents(after.body as ReadableStream<Uint8Array>, () => {})).map((e) => e.event)).toEqual(['output', 'done']);
  });
});

describe('formatServerSentEvent', () => {
  it('writes one event as event and data lines, ended by a blank line', () => {
    expect(formatServerSentEvent({ event: 'error', data: { code: 'pipeline_error', message: 'line 1\nline 2' } })).toBe(
      'event: error\ndata: {"code":"pipeline_error","message":"line 1\\nline 2"}\n\n',
    );
  });
});
