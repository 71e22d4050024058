/** Test support: a `CliIo` that records what `main` prints. */
import type { CliIo } from '../context.js';
import { main } from '../main.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `slipway …args` in-process with `env` and `cwd`, capturing its output. */
export async function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
