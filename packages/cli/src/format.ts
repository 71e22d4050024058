/** Formatting of domain values for people: shapes, digests, sizes, times, versions. */
import type { TensorSpec } from '@slipway/core';

/** `[batch, 14]`: a dynamic dimension shows its symbolic name, or `?` when it has none. */
export function formatShape(spec: Pick<TensorSpec, 'shape' | 'symbolicDims'>): string {
  return `[${spec.shape.map((d, i) => (d === -1 ? (spec.symbolicDims?.[i] ?? '?') : String(d))).join(', ')}]`;
}

/** `sha256:0123456789ab`: enough to tell versions apart in a table. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest.slice(0, 12) : `${algorithm}:${hex.slice(0, 12)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `2025-06-01 10:00:00Z`: ISO-8601 without the noise. */
export function formatWhen(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatVersion(version: number | null): string {
  return version === null ? '(new)' : `v${version}`;
}

/** `a=1, b=x`, sorted by key; `–` when empty. */
export function formatPairs(values: Record<string, string | number | boolean>): string {
  const keys = Object.keys(values).sort();
  return keys.length === 0 ? '–' : keys.map((k) => `${k}=${String(values[k])}`).join(', ');
}
