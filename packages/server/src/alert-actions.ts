/**
 * The retraining loop's first step: when an alert fires, its rule's actions run with the
 * evidence (the metric windows, the bound crossed, the production version) — a webhook
 * (a CI pipeline that retrains), signed like webhook channels when it has a secret, or a
 * command run without a shell under a timeout, the evidence on its stdin and its output
 * captured up to a bound. Each outcome is recorded on the incident by the caller.
 */
import { spawn } from 'node:child_process';
import { CALLBACK_SIGNATURE_HEADER, CALLBACK_TIMESTAMP_HEADER, type ActionOutcome } from '@slipway/core';
import { signNotification } from './alert-channels.js';
import { type AlertRuleSpec, durationMs } from './alert-rules.js';

export type AlertAction = AlertRuleSpec['actions'][number];

/** Bytes of a command's output kept on the incident. */
export const MAX_ACTION_OUTPUT = 4096;

export interface ActionOptions {
  now: () => number;
  /** Per webhook call. Default 10000 ms. */
  webhookTimeoutMs?: number;
}

/** Runs one action; never throws, the failure is in the outcome. */
export async function runAction(action: AlertAction, evidence: unknown, options: ActionOptions): Promise<ActionOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  if ('webhook' in action) {
    const url = new URL(action.webhook.url);
    const target = `${url.origin}${url.pathname}`;
    const body = JSON.stringify(evidence);
    const ts = Math.floor(options.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'slipway-alerts' };
    if (action.webhook.secret !== undefined) {
      headers[CALLBACK_TIMESTAMP_HEADER] = String(ts);
      headers[CALLBACK_SIGNATURE_HEADER] = signNotification(action.webhook.secret, ts, body);
    }
    try {
      const response = await fetch(action.webhook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.webhookTimeoutMs ?? 10_000) });
      const text = (await response.text()).slice(0, MAX_ACTION_OUTPUT);
      return { kind: 'webhook', target, ok: response.ok, status: response.status, output: text, ms: ms() };
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : 'error';
      return { kind: 'webhook', target, ok: false, error: `not delivered: ${cause}`, ms: ms() };
    }
  }
  const [program = '', ...args] = action.command.argv;
  const timeoutMs = durationMs(action.command.timeout) ?? 60_000;
  return new Promise<ActionOutcome>((resolve) => {
    let output = '';
    let timedOut = false;
    const keep = (chunk: Buffer) => {
      if (output.length < MAX_ACTION_OUTPUT) output = (output + chunk.toString('utf8')).slice(0, MAX_ACTION_OUTPUT);
    };
    const child = spawn(program, args, { shell: false, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.stdin.on('error', () => undefined); // a program that never reads stdin
    child.stdin.end(JSON.stringify(evidence));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ kind: 'command', target: program, ok: false, exitCode: null, error: err.message, ms: ms() });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        kind: 'command',
        target: program,
        ok: code === 0 && !timedOut,
        exitCode: code,
        output,
        ...(timedOut ? { error: `killed after ${action.command.timeout} (timeout)` } : code === 0 ? {} : { error: `exited with ${code}` }),
        ms: ms(),
      });
    });
  });
}
