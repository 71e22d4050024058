/**
 * Per-request run controls from HTTP: a deadline from the `x-slipway-timeout-ms` header,
 * and an abort signal that fires when the caller disconnects before its answer is
 * written, so a queued run gives up its place at once.
 */
import { InvalidInputError, TIMEOUT_HEADER } from '@slipway/core';
import type { RunControls } from '@slipway/serving';
import type { FastifyReply, FastifyRequest } from 'fastify';

const MAX_TIMEOUT_MS = 3_600_000;

export function runControls(req: FastifyRequest, reply: FastifyReply): RunControls {
  let controller: AbortController | undefined;
  const controls: RunControls = {
    // Made on first use: only a run that has to wait reads it, and most never wait.
    get signal() {
      if (controller === undefined) {
        const c = (controller = new AbortController());
        const res = reply.raw;
        if (res.closed && !res.writableFinished) c.abort();
        else res.once('close', () => res.writableFinished || c.abort());
      }
      return controller.signal;
    },
  };
  const header = req.headers[TIMEOUT_HEADER];
  if (header !== undefined) {
    const ms = Number(header);
    if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
      throw new InvalidInputError([{ path: `header ${TIMEOUT_HEADER}`, message: `must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}], got ${JSON.stringify(header)}` }]);
    }
    controls.deadline = Date.now() + ms;
  }
  return controls;
}
