/**
 * Runs async runs from the queue with bounded concurrency. Each claimed run is held
 * under a lease renewed while it executes; a renewal refused means the run was cancelled
 * (or taken over), and its execution is aborted. On close, runs in flight are released
 * back to the queue, and a server that died leaves leases that expire: either way the
 * run is executed again later, never lost.
 */
import type { RunOutcome, RunRecord } from '@slipway/core';
import type { RunQueue } from './run-queue.js';

export interface RunExecutorOptions {
  queue: RunQueue;
  /** This server's name in leases. */
  owner: string;
  /** Runs executing at once. Default 4. */
  concurrency?: number;
  /** How long a claim holds without renewal, in ms; renewed every third of it. Default 30000. */
  leaseMs?: number;
  /** How often to look for runs when not woken (runs of other servers, expired leases), in ms. Default 500. */
  pollMs?: number;
  /** Executes one run; `signal` aborts when it is cancelled or the server closes. */
  execute(run: RunRecord, signal: AbortSignal): Promise<RunOutcome>;
  /** Told each finished run (callbacks). */
  onFinished?(run: RunRecord): void;
  onError?(error: unknown): void;
}

export type RunExecutor = ReturnType<typeof createRunExecutor>;

export function createRunExecutor(options: RunExecutorOptions) {
  const { queue, owner, concurrency = 4, leaseMs = 30_000, pollMs = 500 } = options;
  const onError = (error: unknown) => options.onError?.(error);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let closed = false;
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function work(run: RunRecord, controller: AbortController): Promise<void> {
    const renewal = setInterval(() => {
      queue.renew(run.id, owner, leaseMs).then((held) => held || controller.abort(new Error('cancelled')), onError);
    }, Math.max(10, Math.floor(leaseMs / 3)));
    try {
      const outcome = await options.execute(run, controller.signal);
      if (closed && outcome.state !== 'completed') {
        // Stopped by the shutdown, not by the run: the next start runs it again.
        await queue.release(run.id, owner);
        return;
      }
      const finished = await queue.finish(run.id, owner, outcome);
      if (finished !== undefined) options.onFinished?.(finished);
    } finally {
      clearInterval(renewal);
    }
  }

  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!closed && running.size < concurrency) {
          const run = await queue.claim(owner, leaseMs);
          if (run === undefined) break;
          const controller = new AbortController();
          const done = work(run, controller)
            .catch(onError)
            .finally(() => {
              running.delete(run.id);
              wake();
            });
          running.set(run.id, { controller, done });
        }
      } while (again && !closed);
    } finally {
      pumping = false;
    }
  }

  function wake(): void {
    if (!closed) pump().catch(onError);
  }

  return {
    /** Starts claiming; call once the server is ready. */
    start(): void {
      if (timer !== undefined || closed) return;
      timer = setInterval(wake, pollMs);
      timer.unref();
      wake();
    },
    /** Looks for work now (after an enqueue). */
    wake,
    /** Aborts the run if this server is executing it (after a cancel). */
    abort(id: string): void {
      running.get(id)?.controller.abort(new Error('cancelled'));
    },
    get inFlight(): number {
      return running.size;
    },
    /** Stops claiming, aborts runs in flight and releases them to the queue. */
    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      for (const { controller } of running.values()) controller.abort(new Error('server closing'));
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
