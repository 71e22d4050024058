/** What every command gets: the process edges (writers, env, cwd), output and a client. */
import type { SlipwayClient } from '@slipway/sdk';
import type { Output, Writers } from './output.js';

/** The process as `main` sees it; tests pass their own. */
export interface CliIo extends Writers {
  env: NodeJS.ProcessEnv;
  /** Relative paths in arguments resolve against it. */
  cwd: string;
}

/** The global flags, parsed before any command runs. */
export interface GlobalOptions {
  server?: string;
  token?: string;
  json?: boolean;
}

export interface CommandContext {
  readonly io: CliIo;
  output(): Output;
  /** A client for `--server` with the token from `--token`, `SLIPWAY_TOKEN` or the token file. */
  client(): SlipwayClient;
}
