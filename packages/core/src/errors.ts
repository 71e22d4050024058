/**
 * The one error type of Slipway. Every failure that crosses a package boundary is a
 * `SlipwayError` with a `code` from the closed `ErrorCode` table; the server maps codes
 * to HTTP statuses with `httpStatusOf`, the CLI maps them to exit codes.
 */

export const ErrorCode = {
  /** The request could not be parsed (malformed JSON, wrong content type). */
  badRequest: 'bad_request',
  /** The request parsed but a field is wrong: tensor shape, dtype, missing input... */
  invalidInput: 'invalid_input',
  /** A pushed package was refused: manifest, model file or features. */
  invalidPackage: 'invalid_package',
  notFound: 'not_found',
  conflict: 'conflict',
  payloadTooLarge: 'payload_too_large',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  /** A stored artifact no longer matches its digest; it is never served. */
  artifactCorrupted: 'artifact_corrupted',
  /** The model runtime failed while executing a run. */
  pipelineError: 'pipeline_error',
  unavailable: 'unavailable',
  /** The pipeline's queue is full: retry later (429). */
  overloaded: 'overloaded',
  /** The run waited in the queue longer than the pipeline's `queueTimeoutMs` (503). */
  queueTimeout: 'queue_timeout',
  /** The caller's deadline passed before the run finished (504). */
  deadlineExceeded: 'deadline_exceeded',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_input: 400,
  invalid_package: 422,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  artifact_corrupted: 500,
  pipeline_error: 500,
  unavailable: 503,
  overloaded: 429,
  queue_timeout: 503,
  deadline_exceeded: 504,
  internal: 500,
};

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['unavailable', 'conflict', 'overloaded', 'queue_timeout']);

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** One problem with one field, e.g. `{ path: "tabular.features[2].type", message: "..." }`. */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface SlipwayErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: SlipwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.details = options.details;
  }
}

export function isSlipwayError(value: unknown): value is SlipwayError {
  return value instanceof SlipwayError;
}

/** Joins field issues into one readable message: `a: must be x; b: must be y`. */
export function formatIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

export class InvalidInputError extends SlipwayError {
  readonly issues: readonly FieldIssue[];
  constructor(issues: readonly FieldIssue[], options: { cause?: unknown } = {}) {
    super(ErrorCode.invalidInput, formatIssues(issues), { details: { issues }, cause: options.cause });
    this.issues = issues;
  }
}

export class InvalidPackageError extends SlipwayError {
  readonly issues: readonly FieldIssue[];
  constructor(issues: readonly FieldIssue[], options: { cause?: unknown } = {}) {
    super(ErrorCode.invalidPackage, `package rejected: ${formatIssues(issues)}`, {
      details: { issues },
      cause: options.cause,
    });
    this.issues = issues;
  }
}

export class PipelineNotFoundError extends SlipwayError {
  constructor(
    readonly pipeline: string,
    readonly selector?: string,
  ) {
    super(
      ErrorCode.notFound,
      selector === undefined
        ? `pipeline "${pipeline}" not found; list pipelines with \`slipway pipelines ls\``
        : `${selector} of pipeline "${pipeline}" not found; list versions with \`slipway versions ${pipeline}\``,
      { details: { pipeline, ...(selector === undefined ? {} : { selector }) } },
    );
  }
}

export class ArtifactCorruptedError extends SlipwayError {
  constructor(
    readonly digest: string,
    readonly actualDigest: string,
  ) {
    super(
      ErrorCode.artifactCorrupted,
      `artifact ${digest} is corrupted on disk (its content hashes to ${actualDigest}); it will not be served — push the version again`,
      { details: { digest, actualDigest } },
    );
  }
}
