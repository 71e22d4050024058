#!/usr/bin/env node
/**
 * The `slipway` command: wires the command groups into one commander program and turns
 * every outcome into an exit code. `main` takes its argv and writers so tests drive it
 * in-process; run as a program, it is called with the real process.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from '@slipway/sdk';
import { Command, CommanderError } from 'commander';
import { registerAliasCommands } from './commands/alias.js';
import { registerInitCommand } from './commands/init.js';
import { registerPipelinesCommands } from './commands/pipelines.js';
import { registerPushCommand } from './commands/push.js';
import { registerRunCommand } from './commands/run.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerServerCommand } from './commands/server.js';
import { registerServingCommands } from './commands/serving.js';
import { registerDeploymentCommands } from './commands/deployments.js';
import { registerVersionCommands } from './commands/versions.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerReportCommand } from './commands/report.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerMonitorCommand } from './commands/monitor.js';
import { registerProfileCommand } from './commands/profile.js';
import { registerMonitoringIngestCommands } from './commands/monitoring-ingest.js';
import { registerGovernanceCommands } from './commands/governance.js';
import { registerAlertCommands, registerIncidentCommands } from './commands/alerts.js';
import type { CliIo, CommandContext, GlobalOptions } from './context.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { createOutput } from './output.js';
import { formatError } from './report-error.js';
import { resolveServer, resolveToken, tokenFilePath } from './token-file.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The commander program with every command; exported so tests can check scripts' flags against it. */
export function createProgram(io: CliIo): Command {
  const program = new Command('slipway')
    .description('Slipway: push models, point aliases at versions, run them, serve them.')
    .version(version)
    .option('--server <url>', 'the Slipway server (env SLIPWAY_SERVER, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env SLIPWAY_TOKEN, default the token a local server saved in .slipway/admin-token)')
    .option('--json', 'print JSON for scripts instead of tables')
    // Errors come back to `main` as exceptions instead of ending the process, so tests can run it.
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError();

  const globals = () => program.opts<GlobalOptions>();
  const context: CommandContext = {
    io,
    output: () => createOutput(io, globals().json === true),
    client: () => {
      const server = resolveServer(globals().server, io.env);
      return createClient({ server, token: resolveToken(globals().token, io.env, io.cwd, server) }, io.env);
    },
  };
  registerInitCommand(program, context);
  registerPushCommand(program, context);
  registerAliasCommands(program, context);
  registerRunCommand(program, context);
  registerRunsCommands(program, context);
  registerServingCommands(program, context);
  registerDeploymentCommands(program, context);
  registerPipelinesCommands(program, context);
  registerVersionCommands(program, context);
  registerServerCommand(program, context);
  registerPolicyCommands(program, context);
  registerReportCommand(program, context);
  registerKeysCommands(program, context);
  registerMonitorCommand(program, context);
  registerProfileCommand(program, context);
  registerMonitoringIngestCommands(program, context);
  registerGovernanceCommands(program, context);
  registerAlertCommands(program, context);
  registerIncidentCommands(program, context);
  return program;
}

/** Runs `slipway` with `argv` (without the node and script paths); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    // Commander has already printed its usage error (or the help it was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.invalid;
    const lines = formatError(error, { debug: io.env.SLIPWAY_DEBUG === '1', tokenFile: tokenFilePath(io.env, io.cwd) });
    io.stderr(lines.map((l) => `${l}\n`).join(''));
    return exitCodeOf(error);
  }
}

/** True when this file is the program node was started with (also through the `bin` symlink). */
function invokedDirectly(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  });
}
