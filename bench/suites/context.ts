/** What every suite gets, and what every suite's result holds. */
import type { ResolvedBenchConfig } from '../config.js';
import type { TargetCheck } from '../report.js';

export interface SuiteContext {
  config: ResolvedBenchConfig;
  /** A temporary folder for generated models, removed when the run ends. */
  workDir: string;
}

export interface SuiteResult {
  targets: TargetCheck[];
  /** Failed requests; any makes the run exit with status 1. */
  problems: string[];
}

/** The two lines above a suite's table: what was measured, and how. */
export function heading(title: string, conditions: string): string[] {
  return [`== ${title}`, conditions, ''];
}
