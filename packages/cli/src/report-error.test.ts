import { ErrorCode, InvalidPackageError, SlipwayError } from '@slipway/core';
import { ApiError } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import { formatError } from './report-error.js';

const options = { debug: false, tokenFile: '/work/.slipway/admin-token' };

describe('formatError', () => {
  it('prints one line for an error with nothing more to say', () => {
    const error = new InvalidPackageError([{ path: 'slipway.yaml: name', message: 'must be 1–63 characters' }]);
    expect(formatError(error, options)).toEqual(['error: package rejected: slipway.yaml: name: must be 1–63 characters']);
  });

  it('says where the token comes from when authentication fails', () => {
    expect(formatError(new SlipwayError(ErrorCode.unauthenticated, 'the bearer token is not valid'), options)).toEqual([
      'error: the bearer token is not valid',
      'hint: pass --token or set SLIPWAY_TOKEN; a server started here keeps its admin token in /work/.slipway/admin-token',
    ]);
  });

  it('gives the request id of a server failure', () => {
    const error = new ApiError(ErrorCode.internal, 'internal error', 500, 'req-42');
    expect(formatError(error, options)).toEqual(['error: internal error', 'hint: the server logged this under request id req-42']);
  });

  it('never prints a stack unless debugging', () => {
    const bug = new TypeError('x is undefined');
    expect(formatError(bug, options)).toEqual(['error: x is undefined', 'hint: set SLIPWAY_DEBUG=1 to see where it happened']);
    const debug = formatError(new SlipwayError(ErrorCode.internal, 'outer', { cause: bug }), { ...options, debug: true });
    expect(debug[0]).toBe('error: outer');
    expect(debug.join('\n')).toContain('TypeError: x is undefined\n    at ');
  });
});
