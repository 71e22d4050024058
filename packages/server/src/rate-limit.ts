/**
 * Token-bucket rate limits, in memory per process: each key (a token, a pipeline) holds
 * up to `burst` requests and refills at `perSecond`. Several servers behind one load
 * balancer each apply the limit, so the cluster-wide rate is at most replicas × limit.
 */

export interface RateLimitOptions {
  /** Sustained requests per second per key; 0 turns the limit off. */
  perSecond: number;
  /** Requests a key may make at once after being idle. Default `perSecond` (at least 1). */
  burst?: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  readonly enabled: boolean;
  take(key: string, nowMs?: number): RateDecision;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many keys, full buckets are dropped: a full bucket is the same as none. */
const PRUNE_ABOVE = 10_000;

export function createRateLimiter({ perSecond, burst }: RateLimitOptions): RateLimiter {
  const capacity = Math.max(1, burst ?? perSecond);
  const buckets = new Map<string, Bucket>();
  const refill = (b: Bucket, now: number) => {
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
  };
  return {
    enabled: perSecond > 0,
    take(key, now = Date.now()) {
      if (perSecond <= 0) return { ok: true };
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size >= PRUNE_ABOVE) {
          for (const [k, other] of buckets) {
            refill(other, now);
            if (other.tokens >= capacity) buckets.delete(k);
          }
        }
        buckets.set(key, (b = { tokens: capacity, at: now }));
      } else {
        refill(b, now);
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) };
    },
  };
}
