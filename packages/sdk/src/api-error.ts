/**
 * How HTTP failures become `SlipwayError`s: error bodies the server answered
 * (`{"error":{code,message,details,requestId}}` from management and runs routes,
 * `{"error":"message"}` from Open Inference Protocol routes, or anything else a proxy
 * may put in the way), and requests that never got an answer.
 */
import { ErrorCode, SlipwayError } from '@slipway/core';

/** An error the server answered with; `status` and `requestId` locate it in the server's log. */
export class ApiError extends SlipwayError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number,
    readonly requestId: string | undefined,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
    this.name = 'ApiError';
  }
}

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const isErrorCode = (value: unknown): value is ErrorCode => typeof value === 'string' && CODES.has(value);

// OIP bodies carry no code, so the status is all there is to go on.
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.invalidInput,
  401: ErrorCode.unauthenticated,
  403: ErrorCode.forbidden,
  404: ErrorCode.notFound,
  409: ErrorCode.conflict,
  413: ErrorCode.payloadTooLarge,
  422: ErrorCode.invalidPackage,
  429: ErrorCode.overloaded,
  502: ErrorCode.unavailable,
  503: ErrorCode.unavailable,
  504: ErrorCode.unavailable,
};

function errorCodeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.internal : ErrorCode.badRequest);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Builds the error for a non-2xx answer; `body` is the parsed JSON, or the raw text when it was not JSON. */
export function errorFromResponse(status: number, statusText: string, body: unknown): ApiError {
  const error = isObject(body) ? body.error : undefined;
  if (isObject(error) && typeof error.message === 'string') {
    return new ApiError(
      isErrorCode(error.code) ? error.code : errorCodeForStatus(status),
      error.message,
      status,
      typeof error.requestId === 'string' ? error.requestId : undefined,
      isObject(error.details) ? error.details : undefined,
    );
  }
  if (typeof error === 'string') return new ApiError(errorCodeForStatus(status), error, status, undefined);
  return new ApiError(errorCodeForStatus(status), `server answered ${status}${statusText ? ` ${statusText}` : ''}`, status, undefined);
}

/** Reads a non-2xx answer's body (JSON when it parses, else its text) into its error. */
export async function errorOfResponse(response: Response): Promise<ApiError> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: keep the text
  }
  return errorFromResponse(response.status, response.statusText, body);
}

/** Network errors that mean "nothing answered at that address". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const code: unknown = isObject(cause) ? cause.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Builds the error for a request that got no answer: refused, unresolvable host, timeout. */
export function errorFromFetchFailure(error: unknown, server: string, timeoutMs: number): SlipwayError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new SlipwayError(ErrorCode.unavailable, `the Slipway server at ${server} did not answer within ${timeoutMs} ms`, {
      details: { server },
      cause: error,
    });
  }
  const code = causeCode(error);
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new SlipwayError(
      ErrorCode.unavailable,
      `cannot reach the Slipway server at ${server} (${code}); start one with \`npm start\` (in the Slipway repository) or \`slipway server\`, or point SLIPWAY_SERVER at a running one`,
      { details: { server, reason: code }, cause: error },
    );
  }
  // undici's own message is just "fetch failed"; the cause says why.
  const reason: unknown = error instanceof Error ? (error.cause ?? error) : error;
  const message = reason instanceof Error ? reason.message : String(reason);
  return new SlipwayError(ErrorCode.unavailable, `request to the Slipway server at ${server} failed: ${message}`, { details: { server }, cause: error });
}
