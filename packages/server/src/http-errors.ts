/**
 * The one place where failures become HTTP responses. Open Inference Protocol routes
 * answer `{"error": "message"}` as that spec requires; every other route answers
 * `{"error": {code, message, details, requestId}}`. Unknown errors become `internal`,
 * logged with the request id, their text never sent to the caller.
 */
import { ErrorCode, SlipwayError, httpStatusOf, isRetryable, isSlipwayError } from '@slipway/core';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';

export interface ErrorHandlingOptions {
  maxBodyBytes: number;
}

function fromFastify(err: FastifyError, options: ErrorHandlingOptions): SlipwayError | undefined {
  const status = err.statusCode ?? 0;
  if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new SlipwayError(
      ErrorCode.payloadTooLarge,
      `request body is larger than the limit (${options.maxBodyBytes} bytes for JSON); send less data per request or raise SLIPWAY_MAX_BODY_BYTES`,
      { cause: err },
    );
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new SlipwayError(ErrorCode.badRequest, `content type not supported here; send application/json (packages: application/x-tar)`, { cause: err });
  }
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new SlipwayError(ErrorCode.badRequest, 'body is empty; send a JSON object', { cause: err });
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new SlipwayError(ErrorCode.badRequest, `body is not valid JSON: ${err.message}`, { cause: err });
  }
  if (status >= 400 && status < 500) return new SlipwayError(ErrorCode.badRequest, err.message, { cause: err });
  return undefined;
}

const isOip = (req: FastifyRequest) => req.url.startsWith('/v2');

export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const error = isSlipwayError(err) ? err : fromFastify(err, options);
    if (error === undefined) req.log.error({ err, requestId: req.id }, 'internal error');
    else if (error.code === ErrorCode.internal || error.code === ErrorCode.artifactCorrupted) req.log.error({ err: error, requestId: req.id }, error.message);
    const code = error?.code ?? ErrorCode.internal;
    const message = error?.message ?? `internal error; quote request id ${req.id} when reporting it`;
    // A rate limit knows when the bucket refills; everything else retryable says 1 s.
    const retryAfter = error?.details?.retryAfterSeconds;
    if (isRetryable(code)) void reply.header('retry-after', typeof retryAfter === 'number' ? String(retryAfter) : '1');
    void reply.status(httpStatusOf(code));
    return isOip(req)
      ? { error: message }
      : { error: { code, message, ...(error?.details ? { details: error.details } : {}), requestId: req.id } };
  });
  app.setNotFoundHandler((req, reply) => {
    const message = `no route ${req.method} ${req.url.split('?')[0]}; the API is described at /openapi.json`;
    void reply.status(404);
    return isOip(req) ? { error: message } : { error: { code: ErrorCode.notFound, message, requestId: req.id } };
  });
}
