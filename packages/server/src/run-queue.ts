/**
 * The queue of async runs, as the executor sees it: enqueue, claim under a lease, renew,
 * release, finish. The metadata store implements it durably (SQLite for one server,
 * PostgreSQL with SKIP LOCKED for several); the cluster issue adds NATS JetStream behind
 * the same interface.
 */
import type { NewRun, RunOutcome, RunRecord, RunStore } from '@slipway/core';

export interface RunQueue {
  enqueue(run: NewRun): Promise<RunRecord>;
  /** The next run for `owner`, leased for `leaseMs`; undefined when none waits. */
  claim(owner: string, leaseMs: number): Promise<RunRecord | undefined>;
  /** False when `owner` lost the run (cancelled, or its lease taken over). */
  renew(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Back to queued, for another executor (graceful shutdown). */
  release(id: string, owner: string): Promise<boolean>;
  /** Undefined when `owner` no longer holds the run. */
  finish(id: string, owner: string, outcome: RunOutcome): Promise<RunRecord | undefined>;
}

export function createStoreRunQueue(store: RunStore): RunQueue {
  const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
  return {
    enqueue: (run) => store.createRun(run),
    claim: (owner, leaseMs) => store.claimRun({ owner, now: new Date().toISOString(), leaseUntil: inMs(leaseMs) }),
    renew: (id, owner, leaseMs) => store.renewRunLease(id, owner, inMs(leaseMs)),
    release: (id, owner) => store.releaseRun(id, owner),
    finish: (id, owner, outcome) => store.finishRun(id, owner, outcome),
  };
}
