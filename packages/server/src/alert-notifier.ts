/**
 * Sends notifications off the evaluation path: `enqueue` stores a pending notification
 * and returns at once; delivery runs on timers, retried with exponential backoff up to a
 * bounded number of attempts, every attempt recorded on the notification (so a receiver
 * that is down shows up in the history as `failed`, with its errors). Evaluation never
 * waits for it.
 */
import { randomUUID } from 'node:crypto';
import type { AlertsStore, ChannelRecord, NotificationAttempt, NotificationRecord } from '@slipway/core';
import { type NotificationMessage, type SecretSealer, deliver } from './alert-channels.js';

export interface NotifierOptions {
  store: AlertsStore;
  sealer: SecretSealer;
  /** Attempts per notification, first included. Default 5. */
  maxAttempts?: number;
  /** Delay before the second attempt, doubled for each next one. Default 1000 ms. */
  backoffMs?: number;
  /** Longest delay between attempts. Default 60000 ms. */
  maxBackoffMs?: number;
  /** Per attempt. Default 10000 ms. */
  timeoutMs?: number;
  now?: () => number;
  /** Errors of the history writes (the store may be down); default ignored. */
  onError?: (err: unknown) => void;
}

/** Delay before attempt `attempt + 1`: base · 2^(attempt−1), capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** (attempt - 1));
}

export function createNotifier(options: NotifierOptions) {
  const { store, sealer } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.backoffMs ?? 1000;
  const cap = options.maxBackoffMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => undefined);
  const inFlight = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const iso = () => new Date(now()).toISOString();

  async function attempt(channel: ChannelRecord, message: NotificationMessage, record: NotificationRecord): Promise<NotificationRecord> {
    const started = performance.now();
    const result = await deliver(channel, message, sealer, { timeoutMs, now });
    const entry: NotificationAttempt = {
      attempt: record.attempts.length + 1,
      at: iso(),
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.error === undefined ? {} : { error: result.error }),
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    const attempts = [...record.attempts, entry];
    const state = result.ok ? 'delivered' : attempts.length >= maxAttempts ? 'failed' : 'pending';
    const next: NotificationRecord = { ...record, attempts, state, updatedAt: iso() };
    await store.putNotification(next);
    return next;
  }

  function track<T>(p: Promise<T>): void {
    const tracked = p.catch(onError).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }

  function schedule(channel: ChannelRecord, message: NotificationMessage, record: NotificationRecord, delayMs: number): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      track(
        attempt(channel, message, record).then((next) => {
          if (next.state === 'pending') schedule(channel, message, next, backoffMs(next.attempts.length, base, cap));
        }),
      );
    }, delayMs);
    timer.unref();
    timers.add(timer);
  }

  return {
    /** Records a pending notification per channel and starts delivering; never waits for a receiver. */
    enqueue(channel: ChannelRecord, message: NotificationMessage): void {
      const record: NotificationRecord = {
        id: randomUUID(),
        channelId: channel.id,
        event: message.event,
        alertId: message.alert.id,
        incidentId: message.incident?.id ?? null,
        state: 'pending',
        attempts: [],
        createdAt: iso(),
        updatedAt: iso(),
      };
      track(store.putNotification(record).then(() => schedule(channel, message, record, 0)));
    },
    /** Continues a notification a stopped server left pending, after the attempts it already made. */
    resume(channel: ChannelRecord, message: NotificationMessage, record: NotificationRecord): void {
      schedule(channel, message, record, 0);
    },
    /** One attempt now, recorded as a `test` notification; answers how it went. */
    async test(channel: ChannelRecord, message: NotificationMessage): Promise<NotificationRecord> {
      const record: NotificationRecord = { id: randomUUID(), channelId: channel.id, event: 'test', alertId: null, incidentId: null, state: 'pending', attempts: [], createdAt: iso(), updatedAt: iso() };
      const next = await attempt(channel, message, record);
      if (next.state === 'pending') {
        const failed = { ...next, state: 'failed' as const };
        await store.putNotification(failed);
        return failed;
      }
      return next;
    },
    /** Resolves once nothing is in flight or waiting on a timer (tests; shutdown). */
    async drain(): Promise<void> {
      while (inFlight.size > 0 || timers.size > 0) {
        if (inFlight.size > 0) await Promise.all(inFlight);
        else await new Promise((r) => setTimeout(r, 5));
      }
    },
    pending: () => inFlight.size + timers.size,
    close(): void {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
