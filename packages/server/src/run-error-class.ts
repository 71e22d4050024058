/**
 * The one table from error codes to a run's error class: what a run record says about
 * why it failed, coarse enough for a caller to act on (fix the inputs, retry later,
 * report the model).
 */
import { ErrorCode, RunErrorClass, SlipwayError } from '@slipway/core';

const BY_CODE: Record<ErrorCode, RunErrorClass> = {
  bad_request: RunErrorClass.inputError,
  invalid_input: RunErrorClass.inputError,
  invalid_package: RunErrorClass.inputError,
  payload_too_large: RunErrorClass.inputError,
  // The reference names nothing (any more): the caller's to fix.
  not_found: RunErrorClass.inputError,
  forbidden: RunErrorClass.inputError,
  unauthenticated: RunErrorClass.inputError,
  conflict: RunErrorClass.unavailable,
  pipeline_error: RunErrorClass.pipelineError,
  artifact_corrupted: RunErrorClass.internal,
  unavailable: RunErrorClass.unavailable,
  overloaded: RunErrorClass.unavailable,
  queue_timeout: RunErrorClass.timeout,
  deadline_exceeded: RunErrorClass.timeout,
  internal: RunErrorClass.internal,
};

// onnxruntime reports allocation failures as runtime errors; their text is all there is.
const OUT_OF_MEMORY = /out of memory|bad_alloc|failed to allocate|cannot allocate|ENOMEM/i;

/** The class of a failure with `code` and `message`; a pipeline error about memory is `oom`. */
export function runErrorClassOf(code: ErrorCode, message: string): RunErrorClass {
  if ((code === ErrorCode.pipelineError || code === ErrorCode.internal) && OUT_OF_MEMORY.test(message)) return RunErrorClass.oom;
  return BY_CODE[code];
}

/** A run record's error for anything a run threw; unknown errors are `internal`, their text kept out. */
export function runErrorOf(error: unknown): { class: RunErrorClass; code: ErrorCode; message: string } {
  if (error instanceof SlipwayError) return { class: runErrorClassOf(error.code, error.message), code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  if (OUT_OF_MEMORY.test(message)) return { class: RunErrorClass.oom, code: ErrorCode.internal, message: 'the run ran out of memory' };
  return { class: RunErrorClass.internal, code: ErrorCode.internal, message: 'internal error while running; see the server log' };
}
