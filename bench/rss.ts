/**
 * A child's resident memory, read from `/proc/<pid>/status` (Linux): `VmRSS` sampled on
 * an interval for the peak during a phase, and `VmHWM`, the kernel's own high-water mark,
 * which catches a peak that falls between two samples.
 */
import { readFile } from 'node:fs/promises';

export interface ProcMemory {
  /** Resident set now, bytes. */
  rss: number;
  /** Highest resident set since the process started, bytes. */
  hwm: number;
}

/** Parses `VmRSS` and `VmHWM` (kB) from the text of `/proc/<pid>/status`. */
export function parseProcStatus(text: string): ProcMemory {
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!match) throw new Error(`/proc status has no ${field} line`);
    return Number(match[1]) * 1024;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

export async function readProcMemory(pid: number): Promise<ProcMemory> {
  return parseProcStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}

export interface RssSampler {
  /** Stops sampling; resolves with the highest `VmRSS` seen and the sample count. */
  stop(): Promise<{ peak: number; samples: number }>;
}

/** Samples `VmRSS` every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs: number): RssSampler {
  let peak = 0;
  let samples = 0;
  let failure: unknown;
  // Never rejects, so the chain holds no unhandled rejection; `stop` reports the first failure.
  const sample = () =>
    readProcMemory(pid).then(
      ({ rss }) => {
        peak = Math.max(peak, rss);
        samples++;
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
  let pending = sample();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      if (failure !== undefined) throw new Error(`could not read the memory of process ${pid}`, { cause: failure });
      return { peak, samples };
    },
  };
}
