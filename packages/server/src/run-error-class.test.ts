import { ErrorCode, SlipwayError } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { runErrorClassOf, runErrorOf } from './run-error-class.js';

describe('runErrorClassOf', () => {
  it.each([
    [ErrorCode.invalidInput, 'inputs.x: is missing', 'input_error'],
    [ErrorCode.badRequest, 'not JSON', 'input_error'],
    [ErrorCode.notFound, 'pipeline "x" not found', 'input_error'],
    [ErrorCode.pipelineError, 'Gather: index out of range', 'pipeline_error'],
    [ErrorCode.pipelineError, 'Failed to allocate memory for requested buffer of size 8589934592', 'oom'],
    [ErrorCode.internal, 'std::bad_alloc', 'oom'],
    [ErrorCode.deadlineExceeded, 'deadline passed', 'timeout'],
    [ErrorCode.queueTimeout, 'waited too long', 'timeout'],
    [ErrorCode.overloaded, 'queue full', 'unavailable'],
    [ErrorCode.unavailable, 'shutting down', 'unavailable'],
    [ErrorCode.artifactCorrupted, 'digest mismatch', 'internal'],
    [ErrorCode.internal, 'TypeError: x is undefined', 'internal'],
  ] as const)('%s "%s" → %s', (code, message, expected) => {
    expect(runErrorClassOf(code, message)).toBe(expected);
  });

  it('keeps the text of unknown errors out of the record', () => {
    expect(runErrorOf(new Error('secret path /etc/x'))).toEqual({ class: 'internal', code: 'internal', message: 'internal error while running; see the server log' });
    expect(runErrorOf(new SlipwayError(ErrorCode.pipelineError, 'boom'))).toEqual({ class: 'pipeline_error', code: 'pipeline_error', message: 'boom' });
  });
});
