import { describe, expect, it } from 'vitest';
import { formatPipelines } from './pipelines.js';

describe('formatPipelines', () => {
  it('lists pipelines, or says how to make the first', () => {
    expect(formatPipelines([])).toEqual(['no pipelines yet; create one with `slipway init <dir>` and `slipway push <dir>`']);
    const summary = { name: 'tiny', description: null, latestVersion: 3, versionCount: 3, aliases: { staging: 3, production: 2 }, createdAt: '', updatedAt: '2025-06-01T10:00:00Z' };
    expect(formatPipelines([summary])).toEqual([
      'NAME  LATEST  VERSIONS  ALIASES                    UPDATED',
      'tiny  v3      3         production→v2, staging→v3  2025-06-01 10:00:00Z',
    ]);
  });
});
