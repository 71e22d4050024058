import { describe, expect, it } from 'vitest';
import { mlpBytes } from '../mlp.js';
import type { LoadResult } from '../load.js';
import { summarizeCell } from '../report.js';
import { coldWidths, promotionSize } from './coldstart.js';
import { streamPeak } from './density.js';
import { overheadTargets } from './overhead.js';
import { firstRecord } from './python.js';

const MiB = 2 ** 20;
const run = (rps: number, p50: number): LoadResult => ({ rps, p50, p99: p50, requests: rps, errors: 0, timeouts: 0, non2xx: 0, statusCodes: {} });

describe('overheadTargets', () => {
  it('checks throughput at c=32 for the models with a target and p50 at c=1 for all', () => {
    const cell = (model: string, c: number, slipway: LoadResult, bare: LoadResult) => summarizeCell(model, c, 'bare', ['slipway'], { slipway: [slipway], baseline: [bare] });
    const checks = overheadTargets([
      cell('sensor-mlp', 32, run(900, 1), run(1000, 1)),
      cell('heavy-mlp', 32, run(900, 1), run(1000, 1)),
      cell('credit-risk', 32, run(100, 1), run(1000, 1)),
      cell('credit-risk', 1, run(100, 0.5), run(1000, 0.1)),
    ]);
    expect(checks.map((c) => [c.name, c.met])).toEqual([
      ['sensor-mlp c=32 req/s', true],
      ['heavy-mlp c=32 req/s', false],
      ['credit-risk c=1 p50', false],
    ]);
  });
});

describe('cold-start models', () => {
  it('sizes MLPs within a few percent of the asked size', () => {
    for (const mib of [1, 50, 200]) {
      const widths = coldWidths(mib * MiB);
      expect(Math.abs(mlpBytes(widths) / (mib * MiB) - 1)).toBeLessThan(0.05);
      expect(widths[0]).toBe(256);
    }
  });

  it('promotes the largest size up to 64 MiB, else the smallest', () => {
    expect(promotionSize([1, 50, 200])).toBe(50);
    expect(promotionSize([1])).toBe(1);
    expect(promotionSize([100, 200])).toBe(100);
  });
});

describe('streamPeak', () => {
  it('trusts the kernel high-water mark when the stream raised it, else the samples', () => {
    expect(streamPeak(100, 150, 140)).toBe(150);
    expect(streamPeak(200, 200, 140)).toBe(140);
  });
});

describe('firstRecord', () => {
  it('types the first row of a CSV by the features', () => {
    const csv = 'age,sex,owner,default\n47,male,true,0\n27,female,false,1\n';
    const features = [
      { name: 'age', type: 'numeric' as const },
      { name: 'sex', type: 'categorical' as const, categories: ['female', 'male'] },
      { name: 'owner', type: 'boolean' as const },
    ];
    expect(firstRecord(csv, features)).toEqual({ age: 47, sex: 'male', owner: true });
    expect(() => firstRecord(csv, [{ name: 'income', type: 'numeric' }])).toThrow(/no column "income"/);
  });
});
