/**
 * Delivers finished async runs to their callback URL: a POST of the run record, signed
 * with HMAC-SHA256 over `${timestamp}.${body}` (headers `x-slipway-timestamp`,
 * `x-slipway-signature: v1=<hex>`), retried with exponential backoff and jitter up to a
 * bounded number of attempts, each attempt recorded on the run. Connections go only to
 * addresses the callback guard allows, checked again at every attempt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, type CallbackAttempt, type RunCallback, type RunRecord, type RunStore } from '@slipway/core';
import type { CallbackGuard } from './run-callback-guard.js';

/** `v1=<hex HMAC-SHA256 of "${timestamp}.${body}">`. */
export function signCallback(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: recompute the signature and compare in constant time; refuse timestamps older than `toleranceS`. */
export function verifyCallback(secret: string, headers: { timestamp: string | undefined; signature: string | undefined }, body: string, nowS: number, toleranceS = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowS - timestamp) > toleranceS || headers.signature === undefined) return false;
  const expected = Buffer.from(signCallback(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Delay before attempt `attempt + 1`: base · 2^(attempt−1), capped, with half of it random (jitter) so receivers are not hit in step. */
export function callbackBackoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface CallbackDelivererOptions {
  store: RunStore;
  guard: CallbackGuard;
  /** The HMAC key; never logged. */
  secret: string;
  /** Attempts before giving up. Default 5. */
  maxAttempts?: number;
  /** First retry delay in ms, doubling each attempt. Default 1000. */
  baseDelayMs?: number;
  /** Largest retry delay in ms. Default 60000. */
  maxDelayMs?: number;
  /** One attempt's time limit in ms. Default 10000. */
  timeoutMs?: number;
  random?: () => number;
  onError?: (error: unknown) => void;
}

export type CallbackDeliverer = ReturnType<typeof createCallbackDeliverer>;

export function createCallbackDeliverer(options: CallbackDelivererOptions) {
  const { store, guard, secret, maxAttempts = 5, baseDelayMs = 1000, maxDelayMs = 60_000, timeoutMs = 10_000, random = Math.random } = options;
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();

  function post(url: URL, body: string, headers: Record<string, string>): Promise<number> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }, lookup: guard.lookup, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      closing.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  async function deliver(run: RunRecord): Promise<void> {
    const callback: RunCallback = run.callback ?? { url: '', state: 'failed', attempts: [] };
    const attempts: CallbackAttempt[] = [...callback.attempts];
    const url = new URL(callback.url);
    while (attempts.length < maxAttempts && !closing.signal.aborted) {
      const attempt = attempts.length + 1;
      const at = new Date();
      const started = performance.now();
      // The receiver gets the record as it stands, its earlier attempts included.
      const body = JSON.stringify({ ...run, callback: { url: callback.url, state: 'pending', attempts } });
      const timestamp = Math.floor(at.getTime() / 1000);
      let entry: CallbackAttempt;
      try {
        const status = await post(url, body, {
          [CALLBACK_TIMESTAMP_HEADER]: String(timestamp),
          [CALLBACK_SIGNATURE_HEADER]: signCallback(secret, timestamp, body),
          'x-slipway-run-id': run.id,
          'x-slipway-attempt': String(attempt),
        });
        entry = { attempt, at: at.toISOString(), status, ms: Math.round((performance.now() - started) * 1000) / 1000 };
      } catch (error) {
        entry = { attempt, at: at.toISOString(), error: error instanceof Error ? error.message : String(error), ms: Math.round((performance.now() - started) * 1000) / 1000 };
      }
      attempts.push(entry);
      const delivered = entry.status !== undefined && entry.status >= 200 && entry.status < 300;
      // A 4xx other than 408/429 means the receiver refuses this record: retrying will not change its mind.
      const refused = entry.status !== undefined && entry.status >= 400 && entry.status < 500 && entry.status !== 408 && entry.status !== 429;
      const state = delivered ? 'delivered' : refused || attempts.length >= maxAttempts ? 'failed' : 'pending';
      await store.updateRunCallback(run.id, { url: callback.url, state, attempts });
      if (state !== 'pending') return;
      await sleep(callbackBackoffMs(attempt, baseDelayMs, maxDelayMs, random));
    }
  }

  return {
    /** Starts delivering in the background; failures are recorded on the run, never thrown. */
    deliver(run: RunRecord): void {
      if (run.callback === null || closing.signal.aborted) return;
      const p = deliver(run)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    /** Stops retrying; deliveries still `pending` resume on the next start. */
    async close(): Promise<void> {
      closing.abort();
      await Promise.all([...inFlight]);
    },
  };
}
