import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunRecord } from '@slipway/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { parseServerSentEvents } from './sse.js';

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('parseServerSentEvents', () => {
  it('reads events split anywhere across chunks, with CRLF, comments and multi-line data', async () => {
    const events = await collect(parseServerSentEvents(streamOf('event: out', 'put\ndata: {"a"', ':1}\n\n: a comment\r\n', 'data: line 1\r\ndata: line 2\r\n\r\nevent: done\ndata:{}\n\n')));
    expect(events).toEqual([
      { event: 'output', data: '{"a":1}' },
      { event: 'message', data: 'line 1\nline 2' },
      { event: 'done', data: '{}' },
    ]);
  });

  it('drops an event the stream cut off before its blank line', async () => {
    expect(await collect(parseServerSentEvents(streamOf('event: output\ndata: {}\n\nevent: done\ndata: {"x"')))).toEqual([{ event: 'output', data: '{}' }]);
  });
});

describe('client.runs', () => {
  const seen: { method: string; url: string; body: string; accept: string | undefined }[] = [];
  let polls = 0;
  const record = (state: string): Partial<RunRecord> => ({ id: 'r1', state: state as RunRecord['state'] });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, accept: req.headers.accept });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'POST' && body.includes('"stream"')) {
        if (body.includes('"bad"')) return send(400, { error: { code: 'invalid_input', message: 'inputs.x: is missing', requestId: 'q' } });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: output\ndata: {"from":0,"count":1,"version":2,"outputs":{"y":[1]}}\n\n');
        res.end('event: done\ndata: {"id":"s1","state":"completed"}\n\n');
        return;
      }
      if (req.method === 'POST') return send(202, record('queued'));
      if (req.method === 'DELETE') return send(409, { error: { code: 'conflict', message: 'run "r1" is already completed; only queued or running runs can be cancelled', requestId: 'q' } });
      if (req.url === '/v1/runs/r1') return send(200, record(++polls < 3 ? 'running' : 'completed'));
      if (req.url === '/v1/runs/slow') return send(200, { id: 'slow', state: 'queued' });
      return send(200, { runs: [record('completed')] });
    });
  });
  let client: ReturnType<typeof createClient>;
  const ready = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)).then(() => {
    client = createClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't' }, {});
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('submits, lists with a query, waits until finished, and maps a refused cancel', async () => {
    await ready;
    expect(await client.runs.submit({ pipeline: 'p', inputs: { a: 1 }, callbackUrl: 'https://x.example/h' })).toEqual(record('queued'));
    expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual({ pipeline: 'p', inputs: { a: 1 }, callbackUrl: 'https://x.example/h', mode: 'async' });
    await client.runs.list({ pipeline: 'p', state: 'failed', limit: 5 });
    expect(seen.at(-1)?.url).toBe('/v1/runs?pipeline=p&state=failed&limit=5');
    expect((await client.runs.wait('r1', { intervalMs: 5 })).state).toBe('completed');
    expect(polls).toBe(3);
    await expect(client.runs.wait('slow', { intervalMs: 5, timeoutMs: 20 })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/still queued after 20 ms/) as unknown });
    await expect(client.runs.cancel('r1')).rejects.toMatchObject({ code: 'conflict', status: 409 });
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/v1/runs/r1' });
  });

  it('streams events and throws the server error before any', async () => {
    await ready;
    const events = await collect(client.runs.stream({ pipeline: 'p', inputs: {} }));
    expect(events).toEqual([
      { event: 'output', data: { from: 0, count: 1, version: 2, outputs: { y: [1] } } },
      { event: 'done', data: { id: 's1', state: 'completed' } },
    ]);
    expect(seen.at(-1)?.accept).toBe('text/event-stream');
    await expect(collect(client.runs.stream({ pipeline: 'bad', inputs: {} }))).rejects.toMatchObject({ code: 'invalid_input', message: 'inputs.x: is missing' });
  });
});
