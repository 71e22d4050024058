/**
 * Slipway side by side with its baseline: unmeasured warm-up load on each, then `reps`
 * repetitions in which both are loaded back to back, alternating which goes first
 * (slipway–baseline, baseline–slipway, …) so slow drift on the machine favours neither.
 */
import { type LoadOptions, type LoadResult, runLoad } from './load.js';
import { type Cell, type ServerKind, summarizeCell } from './report.js';

/** Where each server is loaded, and with what. */
export type Targets = Record<ServerKind, Omit<LoadOptions, 'connections' | 'duration'>>;

export interface CellOptions {
  /** The row's name in the table: a model or a pipeline. */
  model: string;
  /** The baseline's name in the table: `bare`, `python`. */
  baseline: string;
  targets: Targets;
  connections: number;
  reps: number;
  /** Seconds per repetition and server. */
  duration: number;
}

export const progress = (line: string) => console.error(line);

/** Unmeasured load on each server, so neither is measured cold. */
export async function warmUp(label: string, targets: Targets, connections: number, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  progress(`${label}: warming up both servers for ${seconds} s each at c=${connections}`);
  for (const target of Object.values(targets)) await runLoad({ ...target, connections, duration: seconds });
}

export async function measureCell(options: CellOptions): Promise<Cell> {
  const { model, baseline, targets, connections, reps, duration } = options;
  const runs: Record<ServerKind, LoadResult[]> = { slipway: [], baseline: [] };
  const firstInRep: ServerKind[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const order: ServerKind[] = rep % 2 === 0 ? ['slipway', 'baseline'] : ['baseline', 'slipway'];
    firstInRep.push(order[0]!);
    for (const server of order) {
      const result = await runLoad({ ...targets[server], connections, duration });
      runs[server].push(result);
      const failed = result.errors + result.non2xx > 0 ? `  !! ${result.non2xx} non-2xx, ${result.errors} errors` : '';
      const name = server === 'slipway' ? 'slipway' : baseline;
      progress(
        `${model} c=${connections} rep ${rep + 1}/${reps} ${name.padEnd(7)}: ` +
          `${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(3)} ms, p99 ${result.p99.toFixed(3)} ms${failed}`,
      );
    }
  }
  return summarizeCell(model, connections, baseline, firstInRep, runs);
}
