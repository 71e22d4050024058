/**
 * Writes a streaming run as server-sent events (`text/event-stream`): `event: output`
 * for each partial, then `event: done` with the run record, or `event: error`. A client
 * that goes away aborts the run; its events are drained (not written) so the run record
 * is still kept.
 */
import type { RunStreamEvent } from '@slipway/core';
import type { FastifyReply } from 'fastify';

/** One event in the wire format: `event: <name>\ndata: <json>\n\n` (JSON has no raw newlines). */
export function formatServerSentEvent(event: RunStreamEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** An abort signal that fires when the client closes the connection before the stream ends. */
export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  res.once('close', () => res.writableFinished || controller.abort(new Error('client disconnected')));
  return controller.signal;
}

export async function writeEventStream(reply: FastifyReply, runId: string, events: AsyncIterable<RunStreamEvent>): Promise<void> {
  const res = reply.raw;
  void reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // Proxies (nginx) otherwise buffer the stream until it ends.
    'x-accel-buffering': 'no',
    'x-slipway-run-id': runId,
  });
  for await (const event of events) {
    if (!res.destroyed) res.write(formatServerSentEvent(event));
  }
  if (!res.destroyed) res.end();
}
