/** The suites by name, and the JSON document a run writes: every suite's full results. */
import type { ResolvedBenchConfig, Suite } from '../config.js';
import type { MachineInfo } from '../report.js';
import { type BatchingResult, formatBatching, runBatching } from './batching.js';
import { type ColdstartResult, formatColdstart, runColdstart } from './coldstart.js';
import type { SuiteContext } from './context.js';
import { type DensityResult, formatDensity, runDensity } from './density.js';
import { type OverheadResult, formatOverhead, runOverhead } from './overhead.js';
import { type PythonResult, formatPython, runPython } from './python.js';
import { type LoggingResult, formatLogging, runLogging } from './logging.js';
import { type DriftBenchResult, formatDrift, runDrift } from './drift.js';
import { type AsyncRunsResult, formatAsyncRuns, runAsyncRuns } from './async-runs.js';
import { type AutoscaleResult, formatAutoscale, runAutoscale } from './autoscale.js';

// A type, not an interface, so that `Object.values` sees its members.
export type SuiteResults = {
  overhead?: OverheadResult;
  batching?: BatchingResult;
  coldstart?: ColdstartResult;
  density?: DensityResult;
  python?: PythonResult;
  logging?: LoggingResult;
  drift?: DriftBenchResult;
  'async-runs'?: AsyncRunsResult;
  autoscale?: AutoscaleResult;
};

export interface BenchReport {
  benchmark: 'serving';
  startedAt: string;
  config: ResolvedBenchConfig;
  machine: MachineInfo;
  suites: SuiteResults;
  /** Suites that stopped with an error, and the error. */
  errors: Partial<Record<Suite, string>>;
  /** False when any request failed or any suite stopped: then some figures measure errors, not serving. */
  ok: boolean;
}

/** Runs one suite, stores its results in `into`, and returns its table. */
export async function runSuite(name: Suite, context: SuiteContext, into: SuiteResults): Promise<string> {
  const { config } = context;
  switch (name) {
    case 'overhead':
      into.overhead = await runOverhead(context);
      return formatOverhead(into.overhead, config);
    case 'batching':
      into.batching = await runBatching(context);
      return formatBatching(into.batching, config);
    case 'coldstart':
      into.coldstart = await runColdstart(context);
      return formatColdstart(into.coldstart, config);
    case 'density':
      into.density = await runDensity(context);
      return formatDensity(into.density, config);
    case 'python':
      into.python = await runPython(context);
      return formatPython(into.python, config);
    case 'logging':
      into.logging = await runLogging(context);
      return formatLogging(into.logging, config);
    case 'drift':
      into.drift = await runDrift(context);
      return formatDrift(into.drift, config);
    case 'async-runs':
      into['async-runs'] = await runAsyncRuns(context);
      return formatAsyncRuns(into['async-runs'], config);
    case 'autoscale':
      into.autoscale = await runAutoscale(context);
      return formatAutoscale(into.autoscale, config);
  }
}
