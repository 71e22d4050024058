import { describe, expect, it } from 'vitest';
import { createAlertScheduler } from './alert-scheduler.js';

describe('alert scheduler', () => {
  it('evaluates on its interval, one evaluation at a time, and survives failures', async () => {
    let running = 0;
    let overlapped = false;
    let calls = 0;
    const errors: unknown[] = [];
    const scheduler = createAlertScheduler({
      intervalMs: 5,
      onError: (e) => errors.push(e),
      evaluate: async () => {
        calls += 1;
        running += 1;
        if (running > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 15));
        running -= 1;
        if (calls === 2) throw new Error('store down');
      },
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 150));
    await scheduler.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toBe(after);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(overlapped).toBe(false);
    expect(errors).toEqual([new Error('store down')]);
    expect(scheduler.runs()).toBe(calls);
  });
});
