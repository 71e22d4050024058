import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackGuard, parseCidrList } from './run-callback-guard.js';
import { callbackBackoffMs, signCallback, verifyCallback } from './run-callbacks.js';
import { auth, classifierPackage } from './testing/fixtures.js';
import { type RunsTestApp, eventually, openRunsApp } from './testing/runs-app.js';

describe('callback signatures', () => {
  const body = '{"id":"r1","state":"completed"}';
  it('verifies its own signature and refuses tampering, other keys and stale timestamps', () => {
    const signature = signCallback('k1', 1_700_000_000, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    const headers = { timestamp: '1700000000', signature };
    expect(verifyCallback('k1', headers, body, 1_700_000_010)).toBe(true);
    expect(verifyCallback('k2', headers, body, 1_700_000_010)).toBe(false);
    expect(verifyCallback('k1', headers, body.replace('completed', 'failed'), 1_700_000_010)).toBe(false);
    expect(verifyCallback('k1', { ...headers, timestamp: '1700000001' }, body, 1_700_000_010)).toBe(false);
    expect(verifyCallback('k1', headers, body, 1_700_001_000)).toBe(false);
    expect(verifyCallback('k1', { timestamp: undefined, signature }, body, 1_700_000_010)).toBe(false);
  });
});

describe('callbackBackoffMs', () => {
  it.each([
    // attempt, random → delay with base 1000, cap 60000: half fixed, half jitter
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0.5, 1500],
    [3, 0, 2000],
    [10, 1, 60_000],
    [10, 0, 30_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(callbackBackoffMs(attempt, 1000, 60_000, () => random)).toBe(expected);
  });
});

describe('callback guard', () => {
  it.each([
    ['93.184.216.34', true],
    ['2606:2800:220:1:248:1893:25c8:1946', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.100.100.200', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00:ec2::254', false],
    ['::ffff:127.0.0.1', false],
    ['not-an-ip', false],
  ])('%s allowed: %s', (address, allowed) => {
    expect(createCallbackGuard().allows(address)).toBe(allowed);
  });

  it('lets an allow-list open ranges, and parses it strictly', () => {
    const guard = createCallbackGuard({ allow: parseCidrList('127.0.0.1/32, 10.0.0.0/8', 'SLIPWAY_CALLBACK_ALLOW') });
    expect(guard.allows('127.0.0.1')).toBe(true);
    expect(guard.allows('127.0.0.2')).toBe(false);
    expect(guard.allows('10.200.0.1')).toBe(true);
    expect(parseCidrList('::1, 192.168.0.0/16', 'x')).toEqual(['::1/128', '192.168.0.0/16']);
    expect(() => parseCidrList('10.0.0.0/33,localhost,1.2.3.4/x', 'SLIPWAY_CALLBACK_ALLOW')).toThrow(
      /SLIPWAY_CALLBACK_ALLOW: "10\.0\.0\.0\/33" is not an address or CIDR range.*"localhost".*"1\.2\.3\.4\/x"/,
    );
  });

  it('checks every address a host resolves to', async () => {
    const guard = createCallbackGuard({ resolve: (host) => Promise.resolve(host === 'mixed.example' ? ['93.184.216.34', '10.0.0.5'] : ['93.184.216.34']) });
    await expect(guard.check('https://mixed.example/hook', 'callbackUrl')).rejects.toThrow(/callbackUrl: resolves to 10\.0\.0\.5/);
    expect((await guard.check('https://public.example/hook', 'callbackUrl')).host).toBe('public.example');
    await expect(guard.check('https://user:pw@public.example/', 'callbackUrl')).rejects.toThrow(/must not carry credentials/);
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('callbacks end to end', () => {
  const secret = 'callback-secret-for-tests';
  let dir: string;
  let t: RunsTestApp;
  let receiver: Server;
  let url: string;
  const received: Received[] = [];
  let failFirst = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = failFirst > 0 ? 500 : 200;
        failFirst -= 1;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/runs`;
    dir = await mkdtemp(join(tmpdir(), 'slipway-callbacks-'));
    t = await openRunsApp(dir, { callbackSecret: secret, callbackAllow: ['127.0.0.1/32'], callbackRetry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 } });
    const res = await t.app.inject({ method: 'POST', url: '/v1/pipelines', headers: { 'content-type': 'application/x-tar', ...auth }, payload: await classifierPackage() });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => receiver.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const submit = (callbackUrl: string) =>
    t.app.inject({ method: 'POST', url: '/v1/runs', headers: auth, payload: { pipeline: 'tiny', inputs: { income: 1, owner: true, score: 0 }, mode: 'async', callbackUrl } });

  it('POSTs the finished run, signed, retrying after a 500, with every attempt recorded', async () => {
    received.length = 0;
    failFirst = 1;
    const res = await submit(url);
    expect(res.statusCode).toBe(202);
    const { id } = res.json<RunRecord>();
    const run = await eventually(async () => {
      const r = (await t.app.inject({ url: `/v1/runs/${id}`, headers: auth })).json<RunRecord>();
      return r.callback?.state === 'delivered' ? r : undefined;
    });
    expect(run.callback?.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(run.callback?.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(received).toHaveLength(2);
    for (const [i, { headers, body }] of received.entries()) {
      expect(headers['x-slipway-run-id']).toBe(id);
      expect(headers['x-slipway-attempt']).toBe(String(i + 1));
      expect(headers['content-type']).toBe('application/json');
      const timestamp = headers['x-slipway-timestamp'] as string;
      expect(verifyCallback(secret, { timestamp, signature: headers['x-slipway-signature'] as string }, body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifyCallback('wrong-secret', { timestamp, signature: headers['x-slipway-signature'] as string }, body, Math.floor(Date.now() / 1000))).toBe(false);
      expect(JSON.parse(body)).toMatchObject({ id, state: 'completed', version: 1 });
    }
  });

  it('gives up after the bounded attempts and records the failure', async () => {
    failFirst = 100;
    const { id } = (await submit(url)).json<RunRecord>();
    const run = await eventually(async () => {
      const r = (await t.app.inject({ url: `/v1/runs/${id}`, headers: auth })).json<RunRecord>();
      return r.callback?.state === 'failed' ? r : undefined;
    });
    expect(run.state).toBe('completed');
    expect(run.callback?.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
    failFirst = 0;
  });

  it('records an unreachable receiver as attempts with the error', async () => {
    // A port nothing listens on, inside the allowed range.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const { id } = (await submit(`http://127.0.0.1:${port}/gone`)).json<RunRecord>();
    const run = await eventually(async () => {
      const r = (await t.app.inject({ url: `/v1/runs/${id}`, headers: auth })).json<RunRecord>();
      return r.callback?.state === 'failed' ? r : undefined;
    });
    expect(run.callback?.attempts).toHaveLength(3);
    expect(run.callback?.attempts[0]?.error).toMatch(/ECONNREFUSED/);
  });

  it('resumes deliveries that a stopped server left pending, on the next start', async () => {
    received.length = 0;
    failFirst = 0;
    // A finished run whose callback never went out: the server stopped first.
    await t.store.createRun({ id: 'left-over', mode: 'async', state: 'running', pipeline: 'tiny', ref: 'tiny', inputs: {}, callbackUrl: url, createdBy: 'tester', enqueuedAt: new Date().toISOString() });
    await t.store.finishRun('left-over', null, { state: 'completed', version: 1, outputs: { outputs: {} }, error: null, finishedAt: new Date().toISOString(), computeMs: 1, maxRecordBytes: 1024 });
    const next = await openRunsApp(dir, { callbackSecret: secret, callbackAllow: ['127.0.0.1/32'] });
    try {
      const run = await eventually(async () => {
        const r = await next.store.getRun('left-over');
        return r?.callback?.state === 'delivered' ? r : undefined;
      });
      expect(run.callback?.attempts.map((a) => a.status)).toEqual([200]);
      expect(received.map((r) => r.headers['x-slipway-run-id'])).toEqual(['left-over']);
    } finally {
      await next.close();
    }
  });

  it('still refuses private addresses outside the allow-list', async () => {
    const res = await submit('http://10.0.0.1/hook');
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/^callbackUrl: resolves to 10\.0\.0\.1/);
  });
});
