import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseTimeMs } from './time-spec.js';

const NOW = Date.UTC(2026, 0, 31, 12);

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['60000', 60_000],
  ])('%s → %d', (text, ms) => expect(parseDurationMs(text, 'window')).toBe(ms));

  it.each(['', '0', '0s', '-5m', '5 minutes', '1y', 'abc'])('refuses %j naming the field', (text) => {
    expect(() => parseDurationMs(text, 'window')).toThrow(/^window: .* is not a duration; write e\.g\. 30s/);
  });
});

describe('parseTimeMs', () => {
  it.each([
    ['1767225600000', 1_767_225_600_000],
    ['2026-01-31T11:00:00Z', NOW - 3_600_000],
    ['2026-01-31', Date.UTC(2026, 0, 31)],
    ['1h', NOW - 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
  ])('%s → %d', (text, ms) => expect(parseTimeMs(text, 'since', NOW)).toBe(ms));

  it.each(['yesterday', '2026-13-45', '12', ''])('refuses %j naming the field', (text) => {
    expect(() => parseTimeMs(text, 'since', NOW)).toThrow(/^since: .* is not a time/);
  });
});
