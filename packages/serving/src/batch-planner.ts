/**
 * The dynamic-batching decision, as a pure function: given the requests waiting to be
 * batched together (their row counts and when they arrived), the batching config and the
 * time, say how many of them to run now, or until when to wait for more. The dispatcher
 * owns the queue, the clock and the timers; this module owns the rules, so they are tested
 * as a table.
 *
 * The rules, for pending requests r1..rn in arrival order with row counts ρi (each
 * ≤ maxBatchSize: larger requests are chunked first) and prefix sums Sk = ρ1 + … + ρk,
 * applied in this order:
 *   - The batch is the longest prefix that fits: K = max { k : Sk ≤ maxBatchSize }.
 *     Requests are never split across batches nor taken out of order, so no execution
 *     ever has more than maxBatchSize rows and nobody is overtaken.
 *   1. Full: if SK = maxBatchSize, or the next request does not fit (K < n), the batch
 *      cannot grow: dispatch K requests now.
 *   2. Flush: if the caller asks (its queue is full), dispatch K requests now, preferred
 *      sizes or not: taking the most requests frees the most places.
 *   3. Preferred: if some prefix sums exactly to a preferred batch size, dispatch the
 *      longest such prefix now. That is the largest preferred size ≤ the rows available
 *      that whole requests can make up; a preferred size only reachable by splitting a
 *      request does not count (requests are never split to hit a size).
 *   4. Delay: otherwise wait until the OLDEST request has waited maxDelayMicros (counted
 *      from when it was queued, so time spent waiting for an execution slot counts too),
 *      then dispatch the K requests there are.
 */

/** A request waiting to be batched. */
export interface PendingRows {
  /** Rows it brings (its first dimension); at most `maxBatchSize`. */
  readonly rows: number;
  /** When it was queued, epoch ms. */
  readonly enqueuedAt: number;
}

/** The batching section of a manifest, as the planner needs it. */
export interface BatchingConfig {
  /** Most rows in one execution. */
  readonly maxBatchSize: number;
  /** Longest the oldest request waits for others to join, in microseconds. */
  readonly maxDelayMicros: number;
  /** Batch sizes that are dispatched as soon as whole requests make them up. */
  readonly preferredBatchSizes: readonly number[];
}

export interface PlanInput {
  /** The requests that may join one batch, in arrival order. */
  readonly pending: readonly PendingRows[];
  readonly config: BatchingConfig;
  /** Epoch ms. */
  readonly now: number;
  /** Dispatch what there is without waiting (the caller's queue is full). Default false. */
  readonly flush?: boolean;
}

/** Which rule sent the batch: the dispatcher only needs `count`; the table test reads it to show the rule. */
export type DispatchReason = 'full' | 'preferred' | 'delay' | 'flush';

export type BatchPlan =
  /** Run the first `count` pending requests, `rows` rows in all, as one batch now. */
  | { readonly action: 'dispatch'; readonly count: number; readonly rows: number; readonly reason: DispatchReason }
  /** Run nothing yet; plan again at `until` (epoch ms; Infinity when nothing is pending). */
  | { readonly action: 'wait'; readonly until: number };

export function planBatch({ pending, config, now, flush = false }: PlanInput): BatchPlan {
  const first = pending[0];
  if (first === undefined) return { action: 'wait', until: Infinity };
  const max = config.maxBatchSize;
  const preferred = config.preferredBatchSizes;

  // One pass over the prefix that fits: its length and rows, and the longest prefix that
  // sums to a preferred size. Only the fitting prefix is read, however long the queue.
  let count = 0;
  let rows = 0;
  let preferredCount = 0;
  let preferredRows = 0;
  for (const request of pending) {
    const next = rows + request.rows;
    if (next > max) break;
    count++;
    rows = next;
    if (preferred.includes(rows)) {
      preferredCount = count;
      preferredRows = rows;
    }
  }
  if (count === 0) {
    throw new RangeError(`a pending request has ${first.rows} rows, more than maxBatchSize (${max}); chunk it first`);
  }

  if (rows === max || count < pending.length) return { action: 'dispatch', count, rows, reason: 'full' };
  if (flush) return { action: 'dispatch', count, rows, reason: 'flush' };
  if (preferredCount > 0) return { action: 'dispatch', count: preferredCount, rows: preferredRows, reason: 'preferred' };
  const until = first.enqueuedAt + config.maxDelayMicros / 1000;
  if (now >= until) return { action: 'dispatch', count, rows, reason: 'delay' };
  return { action: 'wait', until };
}
