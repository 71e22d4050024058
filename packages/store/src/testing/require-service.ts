/**
 * For test suites that need an outside service (PostgreSQL, later S3 and the like). The
 * service is probed once: when it is missing, the suite is skipped with the reason in its
 * name and a warning, so a laptop without it still runs the rest; with
 * `SLIPWAY_REQUIRE_SERVICES=1` (set in CI) a missing service fails the run instead, so CI
 * can never pass by skipping.
 *
 * Use with top-level await in the test file:
 *   await describeWithService({ name: 'postgres', where: url, probe: () => ping(url) }, () => { … });
 */
import { describe, it } from 'vitest';

export interface ServiceOptions {
  /** Names the suite, e.g. `postgres`. */
  name: string;
  /** Where the service was looked for, for the messages; keep passwords out of it. */
  where: string;
  /** Resolves when the service answers, rejects otherwise. */
  probe: () => Promise<void>;
}

export async function describeWithService(service: ServiceOptions, body: () => void): Promise<void> {
  let problem: string | undefined;
  try {
    await service.probe();
  } catch (error) {
    problem = error instanceof Error ? error.message || error.name : String(error);
  }
  if (problem === undefined) {
    describe(service.name, body);
    return;
  }
  const reason = `no ${service.name} at ${service.where}: ${problem}`;
  if (process.env.SLIPWAY_REQUIRE_SERVICES === '1') {
    describe(service.name, () => {
      it('has its service available (SLIPWAY_REQUIRE_SERVICES=1)', () => {
        throw new Error(`${reason}; start it, or unset SLIPWAY_REQUIRE_SERVICES to skip these tests`);
      });
    });
    return;
  }
  console.warn(`skipping ${service.name} tests: ${reason} (set SLIPWAY_REQUIRE_SERVICES=1 to fail instead)`);
  describe.skip(`${service.name} (skipped: ${reason})`, body);
}
