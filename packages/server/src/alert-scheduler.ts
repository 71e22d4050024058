/**
 * Runs alert evaluation on a timer: one evaluation at a time (a slow one delays the next
 * tick instead of piling up), unref'd so it never keeps the process alive, errors handed
 * to `onError` so a failing store cannot stop the schedule. Time itself is the alert
 * service's injectable clock; this only decides when to ask.
 */

export interface AlertSchedulerOptions {
  evaluate: () => Promise<unknown>;
  /** Between the end of one evaluation and the start of the next. Default 30000 ms. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export function createAlertScheduler(options: AlertSchedulerOptions) {
  const intervalMs = options.intervalMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let runs = 0;

  const tick = () => {
    running = options
      .evaluate()
      .then(
        () => undefined,
        (err: unknown) => options.onError?.(err),
      )
      .finally(() => {
        runs += 1;
        running = undefined;
        if (!stopped) arm();
      });
  };
  const arm = () => {
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      arm();
    },
    /** Stops the timer and waits for an evaluation in progress. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
    /** Evaluations finished since start. */
    runs: () => runs,
  };
}

export type AlertScheduler = ReturnType<typeof createAlertScheduler>;
