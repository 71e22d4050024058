import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxRuntime } from '@slipway/runtime';
import { createInlineHost } from './inline-host.js';
import { measureLoad } from './memory.js';
import { MiB, matmulModelOf } from './testing/host-models.js';
import { createThreadHost } from './thread-host.js';
import type { ModelHost } from './types.js';

/** Exposed only under `node --expose-gc`; the checks below hold without it. */
const gc = (globalThis as { gc?: () => void }).gc;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('measureLoad', () => {
  it('returns the load result, counting at least the model file', async () => {
    const { result, bytes } = await measureLoad(5 * MiB, () => Promise.resolve('loaded'));
    expect(result).toBe('loaded');
    expect(bytes).toBeGreaterThanOrEqual(5 * MiB);
  });

  it('counts memory the load really kept', async () => {
    let kept: Uint8Array | undefined;
    const { bytes } = await measureLoad(1, () => Promise.resolve((kept = new Uint8Array(256 * MiB).fill(1))));
    expect(kept?.length).toBe(256 * MiB);
    // Not all of it: the allocator may hand back pages freed earlier without growing RSS.
    expect(bytes).toBeGreaterThan(192 * MiB);
  });
});

describe('unloading really frees memory', () => {
  const model = matmulModelOf(8 * MiB);
  const hosts: ModelHost[] = [];
  afterAll(() => Promise.all(hosts.map((h) => h.close())));

  /** RSS after each of `cycles` load + warm-up + unload cycles of the same version. */
  async function cycle(host: ModelHost, bytes: () => Uint8Array, cycles: number): Promise<number[]> {
    hosts.push(host);
    const rss: number[] = [];
    for (let i = 0; i < cycles; i++) {
      await host.load('model:1', bytes());
      await host.unload('model:1');
      gc?.();
      rss.push(process.memoryUsage.rss());
    }
    return rss;
  }

  // A leak of even a tenth of the model per cycle would grow RSS by 160 MiB over the run;
  // medians of 20-cycle windows keep GC timing and allocator noise out of the comparison.
  it.each<[string, () => ModelHost, () => Uint8Array]>([
    ['inline host', () => createInlineHost(createOnnxRuntime()), () => model],
    // The worker takes the buffer it is sent, so each cycle sends a fresh copy.
    ['thread host', () => createThreadHost({ id: 'thread-memory' }), () => model.slice()],
  ])('%s: RSS after 200 load/unload cycles of an 8 MiB model stays within a tenth of RSS after the first few', async (_, create, bytes) => {
    const rss = await cycle(create(), bytes, 200);
    const early = median(rss.slice(5, 25));
    const late = median(rss.slice(-20));
    expect(Math.abs(late - early) / early).toBeLessThanOrEqual(0.1);
  });
});
