/**
 * Time on the wire, as people type it: durations (`500ms`, `30s`, `5m`, `1h`, `7d`) and
 * instants (epoch milliseconds, ISO-8601, or a duration meaning "that long ago"), for
 * query parameters like `since=1h` and `window=5m` and the CLI flags that send them.
 */
import { InvalidInputError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** `5m` → 300000; a bare number is milliseconds. Throws naming `field` unless > 0. */
export function parseDurationMs(text: string, field: string): number {
  const trimmed = text.trim();
  const m = DURATION.exec(trimmed);
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN) : /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InvalidInputError([{ path: field, message: `"${text}" is not a duration; write e.g. 30s, 5m, 1h, 7d (or milliseconds)` }]);
  }
  return Math.round(ms);
}

/** Epoch ms from `1767225600000`, `2026-01-01T00:00:00Z`, or `1h` (one hour before `now`). */
export function parseTimeMs(text: string, field: string, now = Date.now()): number {
  const trimmed = text.trim();
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  if (DURATION.test(trimmed)) return now - parseDurationMs(trimmed, field);
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (!Number.isFinite(parsed)) {
    throw new InvalidInputError([
      { path: field, message: `"${text}" is not a time; write epoch milliseconds, an ISO-8601 time (2026-01-31T12:00:00Z) or a duration ago (1h, 7d)` },
    ]);
  }
  return parsed;
}
