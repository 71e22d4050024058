import { describe, expect, it } from 'vitest';
import { formatRef, parsePipelineRef } from './refs.js';

describe('parsePipelineRef', () => {
  it.each([
    ['credit-risk', { name: 'credit-risk', selector: { kind: 'latest' } }],
    ['credit-risk:v3', { name: 'credit-risk', selector: { kind: 'version', version: 3 } }],
    ['credit-risk:3', { name: 'credit-risk', selector: { kind: 'version', version: 3 } }],
    ['credit-risk@production', { name: 'credit-risk', selector: { kind: 'alias', alias: 'production' } }],
  ])('parses %s', (text, expected) => {
    expect(parsePipelineRef(text)).toEqual(expected);
  });

  it('formats references back', () => {
    expect(formatRef(parsePipelineRef('a:2'))).toBe('a:v2');
    expect(formatRef(parsePipelineRef('a@prod'))).toBe('a@prod');
  });

  it.each([
    ['', /not a valid pipeline name/],
    ['Credit', /not a valid pipeline name/],
    ['a:v0', /not a version/],
    ['a:latest', /not a version/],
    ['a@', /not a valid alias/],
    ['a@v2', /not a valid alias/],
    ['a:v1@prod', /both a version and an alias/],
  ])('rejects %j', (text, pattern) => {
    expect(() => parsePipelineRef(text)).toThrow(pattern);
  });
});
