/**
 * Exit codes of `slipway`, one per kind of failure a script may want to tell apart, and
 * the one table that maps error codes onto them.
 */
import { type ErrorCode, isSlipwayError } from '@slipway/core';

export const ExitCode = {
  ok: 0,
  /** Anything else: a server-side failure, a bug. */
  failure: 1,
  /** Bad arguments, input or package: fix the command and run it again. */
  invalid: 2,
  notFound: 3,
  /** Missing, wrong or insufficient token. */
  auth: 4,
  /**
   * The server could not be reached or is overloaded (queue full, queue wait too long),
   * or the run's `--timeout` deadline passed: try again later, or with a longer deadline.
   */
  unavailable: 5,
  /** Someone else changed the same thing at the same time: try again. */
  conflict: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_ERROR_CODE: Record<ErrorCode, ExitCode> = {
  bad_request: ExitCode.invalid,
  invalid_input: ExitCode.invalid,
  invalid_package: ExitCode.invalid,
  payload_too_large: ExitCode.invalid,
  not_found: ExitCode.notFound,
  unauthenticated: ExitCode.auth,
  forbidden: ExitCode.auth,
  unavailable: ExitCode.unavailable,
  overloaded: ExitCode.unavailable,
  queue_timeout: ExitCode.unavailable,
  // Not retryable as it is, but the same advice holds: later, or with a longer deadline.
  deadline_exceeded: ExitCode.unavailable,
  conflict: ExitCode.conflict,
  artifact_corrupted: ExitCode.failure,
  pipeline_error: ExitCode.failure,
  internal: ExitCode.failure,
};

export function exitCodeOf(error: unknown): ExitCode {
  return isSlipwayError(error) ? BY_ERROR_CODE[error.code] : ExitCode.failure;
}
