import { describe, expect, it } from 'vitest';
import { parseProcStatus, readProcMemory } from './rss.js';

describe('parseProcStatus', () => {
  it('reads VmRSS and VmHWM in bytes', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n';
    expect(parseProcStatus(text)).toEqual({ rss: 1024 * 1024, hwm: 2048 * 1024 });
    expect(() => parseProcStatus('Name:\tnode\n')).toThrow(/VmRSS/);
  });

  it.runIf(process.platform === 'linux')('reads this process', async () => {
    const { rss, hwm } = await readProcMemory(process.pid);
    expect(rss).toBeGreaterThan(0);
    expect(hwm).toBeGreaterThanOrEqual(rss);
  });
});
