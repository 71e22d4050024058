/**
 * `slipway server`: starts the platform in this process and stops it cleanly on
 * SIGINT/SIGTERM. The start-up banner ends with calls that can be pasted as they are.
 */
import { isAbsolute, relative } from 'node:path';
import { ApiPaths, parseByteSize } from '@slipway/core';
import { DEFAULT_SERVER } from '@slipway/sdk';
import type { RunningServer } from '@slipway/server';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { tokenFilePath } from '../token-file.js';

/** The first holdout applicant of the `credit-risk` example, as its README shows it. */
export const CREDIT_RISK_EXAMPLE_RECORD = {
  age: 60,
  sex: 'male',
  marital_status: 'married',
  income: 55000,
  debt_ratio: 0.435,
  credit_history_years: 17,
  num_open_accounts: 6,
  late_payments_2y: 1,
  loan_amount: 8000,
  employment_years: 16,
};

// The default Regulation B policy keeps credit-risk out of production: the start command serves it at @staging.
const EXAMPLE_REF = 'credit-risk@staging';

export interface ServerFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  modelMemory?: number;
  workerThreads?: number;
  tlsCert?: string;
  tlsKey?: string;
  predictionRetentionDays?: number;
  predictionRetentionRows?: number;
  examples: boolean;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError('must be a port number, 0–65535 (0 picks a free one)');
  return port;
}

function parseModelMemory(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined) throw new InvalidArgumentError('must be a size such as 8GiB, 512MiB or 2GB');
  return bytes;
}

function parseWorkerThreads(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new InvalidArgumentError('must be a whole number of threads, at least 1');
  return n;
}

function parsePositiveNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

/** Quotes a word for a POSIX shell only when it needs it. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What to print once the server listens; `cwd` and `env` decide how the CLI call must look. */
export function formatServerBanner(running: RunningServer, cwd: string, env: NodeJS.ProcessEnv): string[] {
  const fromCwd = relative(cwd, running.tokenFile);
  const tokenFile = shellWord(fromCwd.startsWith('..') || isAbsolute(fromCwd) ? running.tokenFile : fromCwd);
  const lines = [`Slipway is running at ${running.url}`, `  API description: ${running.url}${ApiPaths.openapi}`];
  if (running.examples.length > 0) {
    lines.push('', 'example pipelines:', ...running.examples.map((e) => `  ${e.ref}${e.created ? '' : ' (already there)'}`));
  }
  // The CLI finds the token file by itself unless the server keeps it somewhere else.
  const cliFindsToken = tokenFilePath(env, cwd) === running.tokenFile;
  if (running.newAdminToken !== undefined) {
    const where = cliFindsToken ? `saved to ${tokenFile}, where the CLI finds it` : `saved to ${tokenFile}`;
    lines.push('', `admin token (printed only this once; ${where}):`, `  ${running.newAdminToken}`);
  }
  if (running.examples.some((e) => e.ref === EXAMPLE_REF)) {
    const record = JSON.stringify(CREDIT_RISK_EXAMPLE_RECORD);
    const tokenPrefix = cliFindsToken ? '' : `SLIPWAY_TOKEN=$(cat ${tokenFile}) `;
    const server = (env.SLIPWAY_SERVER || DEFAULT_SERVER) === running.url ? '' : ` --server ${running.url}`;
    lines.push(
      '',
      'try it:',
      `  curl -s ${running.url}${ApiPaths.runs} \\`,
      `    -H "Authorization: Bearer $(cat ${tokenFile})" \\`,
      `    -H 'content-type: application/json' \\`,
      `    -d '${JSON.stringify({ pipeline: EXAMPLE_REF, inputs: CREDIT_RISK_EXAMPLE_RECORD })}'`,
      '',
      `  ${tokenPrefix}npx slipway run ${EXAMPLE_REF}${server} --input '${record}'`,
    );
  }
  lines.push('', 'push your own: npx slipway init my-model, add model.onnx, then npx slipway push my-model', 'press Ctrl-C to stop');
  return lines;
}

function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerServerCommand(program: Command, context: CommandContext): void {
  program
    .command('server')
    .description('start the Slipway platform: management API, runs, Open Inference Protocol, example pipelines')
    .option('--port <n>', 'TCP port; 0 picks a free one (env SLIPWAY_PORT, default 8080)', parsePort)
    .option('--host <host>', 'interface to bind (env SLIPWAY_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'where the embedded store, artifacts and admin token live (env SLIPWAY_DATA_DIR, default ./.slipway)')
    .option('--database-url <url>', 'postgres://… for a shared store (env SLIPWAY_DATABASE_URL, default SQLite in the data dir)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env SLIPWAY_LOG_LEVEL, default info)')
    .option('--model-memory <size>', 'memory budget for loaded versions, e.g. 8GiB (env SLIPWAY_MODEL_MEMORY, default half the RAM)', parseModelMemory)
    .option('--worker-threads <n>', 'threads that run heavy models off the HTTP thread (env SLIPWAY_WORKER_THREADS, default cores − 1)', parseWorkerThreads)
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (env SLIPWAY_TLS_CERT; needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (env SLIPWAY_TLS_KEY)')
    .option('--prediction-retention-days <n>', 'days the prediction log is kept (env SLIPWAY_PREDICTION_RETENTION_DAYS, default 30)', parsePositiveNumber)
    .option('--prediction-retention-rows <n>', 'most logged predictions kept per pipeline (env SLIPWAY_PREDICTION_RETENTION_ROWS, default 1000000)', parsePositiveNumber)
    .option('--no-examples', 'do not deploy the example pipelines')
    .action(async (flags: ServerFlags) => {
      const { io } = context;
      // Loaded here, not at the top: the server pulls in onnxruntime and SQLite, which
      // would add half a second to every other command.
      const { resolveServerConfig, startServer } = await import('@slipway/server');
      const config = resolveServerConfig(
        {
          port: flags.port,
          host: flags.host,
          dataDir: flags.dataDir,
          databaseUrl: flags.databaseUrl,
          logLevel: flags.logLevel,
          modelMemory: flags.modelMemory,
          workerThreads: flags.workerThreads,
          tlsCert: flags.tlsCert,
          tlsKey: flags.tlsKey,
          predictionRetentionDays: flags.predictionRetentionDays,
          predictionRetentionRows: flags.predictionRetentionRows,
          // Only an explicit --no-examples overrides SLIPWAY_EXAMPLES.
          ...(flags.examples ? {} : { examples: false }),
        },
        io.env,
      );
      const running = await startServer(config);
      const { url, tokenFile, examples, newAdminToken } = running;
      context.output().result({ url, tokenFile, examples, adminToken: newAdminToken }, () => formatServerBanner(running, io.cwd, io.env));
      const signal = await shutdownSignal();
      io.stderr(`${signal}: stopping…\n`);
      await running.close();
      io.stderr('stopped\n');
    });
}
