/** Smoke run of the autoscale suite at its quick size: one repetition, every request answered, the replicas reached. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveBenchConfig } from '../config.js';
import { formatAutoscale, runAutoscale } from './autoscale.js';

describe('autoscale suite (quick)', () => {
  it('measures the reaction to a 10× load step with no request lost', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'slipway-autoscale-bench-'));
    try {
      const config = resolveBenchConfig(['--quick', '--suite', 'autoscale'], {});
      const result = await runAutoscale({ config, workDir });
      expect(result.problems).toStrictEqual([]);
      expect(result.reps).toHaveLength(1);
      const [rep] = result.reps;
      expect(rep?.replicasBefore).toBe(1);
      expect(rep?.replicasAfter).toBe(result.maxReplicas);
      expect(rep?.desiredMs).toBeLessThanOrEqual(rep?.readyMs ?? NaN);
      expect(formatAutoscale(result, config)).toMatch(/median\s+desired after \d+ ms, ready after \d+ ms/);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
