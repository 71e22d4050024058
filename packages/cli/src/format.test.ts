import { describe, expect, it } from 'vitest';
import { formatBytes, formatPairs, formatShape, formatVersion, formatWhen, shortDigest } from './format.js';

describe('format', () => {
  it('shows dynamic dimensions by their symbolic name, or ?', () => {
    expect(formatShape({ shape: [-1, 14] })).toBe('[?, 14]');
    expect(formatShape({ shape: [-1, -1, 3], symbolicDims: { 0: 'batch' } })).toBe('[batch, ?, 3]');
    expect(formatShape({ shape: [] })).toBe('[]');
  });

  it('shortens digests', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab');
  });

  it('formats sizes, times, versions and pairs', () => {
    expect([formatBytes(558), formatBytes(3139), formatBytes(5 * 1024 * 1024)]).toEqual(['558 B', '3.1 KiB', '5.0 MiB']);
    expect(formatWhen('2025-06-01T10:00:00.123Z')).toBe('2025-06-01 10:00:00Z');
    expect([formatVersion(3), formatVersion(null)]).toEqual(['v3', '(new)']);
    expect(formatPairs({ lr: 0.1, algorithm: 'logistic', balanced: true })).toBe('algorithm=logistic, balanced=true, lr=0.1');
    expect(formatPairs({})).toBe('–');
  });
});
