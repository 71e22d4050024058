import { describe, expect, it } from 'vitest';
import { formatCooldown, formatServingModels, formatWarmup, parseDuration } from './serving.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86_400],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '10', '0s', '-5m', '1.5h', '2 h', '10min', 'soon'])('refuses %j, showing the form to use', (text) => {
    expect(() => parseDuration(text)).toThrow('must be a duration such as 30s, 10m, 2h or 1d');
  });
});

const MiB = 1024 * 1024;
const loaded = { pipeline: 'credit-risk', version: 2, host: 'inline', bytes: 1.5 * MiB, loadMs: 12.34, warmupMs: 0.56, hits: 14, pinnedUntil: 'cooldown' };

describe('serving output', () => {
  it('says where a warmed-up version lives, what it cost and how long it stays', () => {
    expect(formatWarmup(loaded)).toBe('credit-risk:v2 warm on inline (1.5 MiB; loaded in 12.3 ms, warm-up run 0.6 ms), pinned until cooldown');
    expect(formatWarmup({ ...loaded, pinnedUntil: '2025-06-01T10:00:00.000Z' })).toMatch(/pinned until 2025-06-01 10:00:00Z$/);
  });

  it('says whether a cooled-down version is still loaded', () => {
    expect(formatCooldown({ pipeline: 'credit-risk', version: 2, loaded: false })).toBe('credit-risk:v2 unpinned and unloaded');
    expect(formatCooldown({ pipeline: 'credit-risk', version: 2, loaded: true })).toBe('credit-risk:v2 unpinned; still loaded');
  });

  it('lists loaded versions with host, memory, hits and pin, then the budget', () => {
    const models = [loaded, { ...loaded, pipeline: 'sensor-mlp', version: 1, host: 'thread-0', bytes: 900, hits: 0, pinnedUntil: null }];
    expect(formatServingModels({ budgetBytes: 8 * 1024 * MiB, usedBytes: 1.5 * MiB + 900, models })).toEqual([
      'VERSION         HOST      MEMORY   HITS  PINNED',
      'credit-risk:v2  inline    1.5 MiB  14    until cooldown',
      'sensor-mlp:v1   thread-0  900 B    0     –',
      '',
      'memory: 1.5 MiB used of 8.0 GiB',
    ]);
  });

  it('says how a version gets loaded when none is', () => {
    expect(formatServingModels({ budgetBytes: 8 * 1024 * MiB, usedBytes: 0, models: [] })).toEqual([
      'no versions loaded; a version loads on its first run, or with `slipway warmup <ref>`',
      'memory: 0 B used of 8.0 GiB',
    ]);
  });
});
