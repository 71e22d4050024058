/**
 * The one place a failure becomes text: `error: <message>` plus `hint:` lines where a
 * next step is known. Stacks only with `SLIPWAY_DEBUG=1`: users need the message, not
 * our call graph.
 */
import { inspect } from 'node:util';
import { ErrorCode, isSlipwayError } from '@slipway/core';
import { ApiError } from '@slipway/sdk';

export interface ReportOptions {
  /** Print stacks and causes (`SLIPWAY_DEBUG=1`). */
  debug: boolean;
  /** Where a local server keeps its admin token, for the authentication hint. */
  tokenFile: string;
}

function hints(error: unknown, options: ReportOptions): string[] {
  if (!isSlipwayError(error)) return options.debug ? [] : ['set SLIPWAY_DEBUG=1 to see where it happened'];
  switch (error.code) {
    case ErrorCode.unauthenticated:
      return [`pass --token or set SLIPWAY_TOKEN; a server started here keeps its admin token in ${options.tokenFile}`];
    case ErrorCode.internal:
    case ErrorCode.pipelineError:
    case ErrorCode.artifactCorrupted:
      return error instanceof ApiError && error.requestId !== undefined ? [`the server logged this under request id ${error.requestId}`] : [];
    default:
      return [];
  }
}

function debugLines(error: unknown): string[] {
  const lines: string[] = [];
  for (let e: unknown = error; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
    lines.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : `cause: ${inspect(e)}`);
  }
  return lines;
}

export function formatError(error: unknown, options: ReportOptions): string[] {
  const message = error instanceof Error ? error.message : String(error);
  return [`error: ${message}`, ...hints(error, options).map((h) => `hint: ${h}`), ...(options.debug ? debugLines(error) : [])];
}
