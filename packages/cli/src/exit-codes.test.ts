import { ErrorCode, SlipwayError } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeOf } from './exit-codes.js';

describe('exitCodeOf', () => {
  it.each([
    [ErrorCode.badRequest, 2],
    [ErrorCode.invalidInput, 2],
    [ErrorCode.invalidPackage, 2],
    [ErrorCode.payloadTooLarge, 2],
    [ErrorCode.notFound, 3],
    [ErrorCode.unauthenticated, 4],
    [ErrorCode.forbidden, 4],
    [ErrorCode.unavailable, 5],
    [ErrorCode.overloaded, 5],
    [ErrorCode.queueTimeout, 5],
    [ErrorCode.deadlineExceeded, 5],
    [ErrorCode.conflict, 6],
    [ErrorCode.internal, 1],
    [ErrorCode.pipelineError, 1],
    [ErrorCode.artifactCorrupted, 1],
  ] as const)('maps %s to %i', (code, exit) => {
    expect(exitCodeOf(new SlipwayError(code, 'x'))).toBe(exit);
  });

  it('maps anything that is not a SlipwayError to 1', () => {
    expect(exitCodeOf(new TypeError('boom'))).toBe(ExitCode.failure);
    expect(exitCodeOf('a string')).toBe(ExitCode.failure);
  });

  it('gives every error code an exit code, and none collides with success', () => {
    for (const code of Object.values(ErrorCode)) expect(exitCodeOf(new SlipwayError(code, 'x'))).toBeGreaterThan(0);
  });
});
