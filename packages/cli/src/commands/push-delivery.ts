/**
 * What `slipway push --promote <alias> --wait-healthy` does after the push, for CI gates:
 * point the alias at the new version (promotion gates and policies decide), then wait
 * until the version is loaded and answers its warm-up run. Every refusal keeps its error
 * code, so the exit code says which gate failed: 2 validation, 4 policy/permission,
 * 5 not healthy in time, 1 the model failed its sample run.
 */
import { ErrorCode, type AliasRecord, type PushResponse, SlipwayError, isSlipwayError } from '@slipway/core';
import type { SlipwayClient } from '@slipway/sdk';
import { InvalidArgumentError } from 'commander';

export interface DeliveryFlags {
  promote?: string;
  waitHealthy?: boolean;
  /** Seconds. */
  healthTimeout?: number;
}

export interface Delivery {
  promoted?: AliasRecord;
  health?: { healthy: true; version: number; waitedMs: number };
}

export function parseSeconds(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new InvalidArgumentError('must be a whole number of seconds, e.g. 120');
  return n;
}

const DEFAULT_HEALTH_TIMEOUT_S = 120;
const POLL_MS = 500;

/** Keeps the error's code (and so the exit code), saying what had already happened. */
function after(done: string, error: unknown): unknown {
  if (!isSlipwayError(error)) return error;
  return new SlipwayError(error.code, `${done}, but ${error.message}`, { cause: error, ...(error.details ? { details: error.details } : {}) });
}

export async function deliverPushed(client: SlipwayClient, pushed: PushResponse, flags: DeliveryFlags, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<Delivery> {
  const { pipeline, version } = pushed.version;
  const delivery: Delivery = {};
  if (flags.promote !== undefined) {
    try {
      delivery.promoted = await client.setAlias(pipeline, flags.promote, version);
    } catch (error) {
      throw after(`pushed ${pushed.ref}`, error);
    }
  }
  if (flags.waitHealthy !== true) return delivery;
  const done = delivery.promoted === undefined ? `pushed ${pushed.ref}` : `pushed ${pushed.ref} and moved @${flags.promote} to it`;
  const timeoutMs = (flags.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT_S) * 1000;
  const started = Date.now();
  for (;;) {
    try {
      // The alias must still serve this version (a concurrent promotion would make the check meaningless).
      if (flags.promote !== undefined) {
        const served = await client.resolve(`${pipeline}@${flags.promote}`);
        if (served.version !== version) {
          throw new SlipwayError(ErrorCode.conflict, `@${flags.promote} now points at v${served.version}, not v${version}: someone promoted another version meanwhile`);
        }
      }
      // Ready loads the version and runs its warm-up sample: a model that cannot answer fails here.
      if (await client.modelReady(pipeline, version)) {
        delivery.health = { healthy: true, version, waitedMs: Date.now() - started };
        return delivery;
      }
    } catch (error) {
      const retry = isSlipwayError(error) && (error.code === ErrorCode.unavailable || error.code === ErrorCode.overloaded || error.code === ErrorCode.queueTimeout);
      if (!retry) throw after(done, isSlipwayError(error) ? new SlipwayError(error.code, `the health check failed: ${error.message}`, { cause: error }) : error);
    }
    if (Date.now() - started + POLL_MS > timeoutMs) {
      throw new SlipwayError(ErrorCode.unavailable, `${done}, but ${pipeline}:v${version} was not healthy within ${timeoutMs / 1000} s; raise --health-timeout or check the server log`);
    }
    await sleep(POLL_MS);
  }
}

export function describeDelivery(pushed: PushResponse, delivery: Delivery): string[] {
  const lines: string[] = [];
  if (delivery.promoted) lines.push(`${delivery.promoted.pipeline}@${delivery.promoted.alias} → v${delivery.promoted.version}`);
  if (delivery.health) lines.push(`${pushed.ref} healthy (loaded and answering after ${(delivery.health.waitedMs / 1000).toFixed(1)} s)`);
  return lines;
}
