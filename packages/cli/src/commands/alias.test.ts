import { describe, expect, it } from 'vitest';
import { formatAliasHistory, formatAliases, parseAliasRef } from './alias.js';

describe('parseAliasRef', () => {
  it('reads name@alias', () => {
    expect(parseAliasRef('credit-risk@production')).toEqual({ name: 'credit-risk', alias: 'production' });
  });

  it('refuses refs without an alias, showing the form to use', () => {
    expect(() => parseAliasRef('credit-risk')).toThrow('alias: "credit-risk" names no alias; write name@alias, e.g. credit-risk@production');
    expect(() => parseAliasRef('credit-risk:v2')).toThrow(/names no alias/);
    expect(() => parseAliasRef('credit-risk@v2')).toThrow(/not a valid alias/);
  });
});

describe('alias tables', () => {
  it('shows history as when, who, from → to', () => {
    const history = [
      { pipeline: 'p', alias: 'production', fromVersion: null, toVersion: 1, actor: 'system', at: '2025-06-01T10:00:00.000Z' },
      { pipeline: 'p', alias: 'production', fromVersion: 1, toVersion: 2, actor: 'admin', at: '2025-06-02T11:30:00.000Z' },
    ];
    expect(formatAliasHistory(history)).toEqual([
      'WHEN                  WHO     FROM → TO',
      '2025-06-01 10:00:00Z  system  (new) → v1',
      '2025-06-02 11:30:00Z  admin   v1 → v2',
    ]);
  });

  it('says how to set an alias when there is none', () => {
    expect(formatAliases('p', [])).toEqual(['p has no aliases; set one with `slipway alias set p@production v1`']);
    expect(formatAliases('p', [{ pipeline: 'p', alias: 'production', version: 2, updatedBy: 'admin', updatedAt: '2025-06-02T11:30:00Z' }])[1]).toBe(
      'p@production  v2       admin       2025-06-02 11:30:00Z',
    );
  });
});
