/**
 * Slipway as the benchmark runs it: the built `@slipway/server` (packages/server/dist;
 * `npm run bench` builds first) on a free port, with a fresh data directory, the examples
 * pushed and warm, and logging at `warn` as a production server would run. The harness
 * passes the admin token it pushes with and, for the density suite, a model memory budget.
 *
 *   node --import tsx bench/slipway-server.ts --examples-dir examples [--admin-token T] [--model-memory 512MiB]
 *
 * prints its URL on stdout; see child-lifecycle.ts for how it ends. The data directory is
 * removed on close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ServerOptions, resolveServerConfig, startServer } from '@slipway/server';
import { serveUntilShutdown } from './child-lifecycle.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'examples-dir': { type: 'string', default: 'examples' },
      'admin-token': { type: 'string' },
      'model-memory': { type: 'string' },
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
  try {
    const options: ServerOptions = { port: 0, dataDir, examples: true, examplesDir: values['examples-dir'], logLevel: 'warn' };
    if (values['admin-token'] !== undefined) options.adminToken = values['admin-token'];
    if (values['model-memory'] !== undefined) options.modelMemory = values['model-memory'];
    // No environment: the benchmark's server is configured by these flags alone.
    const server = await startServer(resolveServerConfig(options, {}));
    serveUntilShutdown(server.url, async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`slipway-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
