/**
 * Runs a benchmark server (bare-server.ts, slipway-server.ts, the Python peer) as a child
 * process, so that server and load generator never share an event loop. The child's first
 * stdout line is its URL; its stderr goes straight to ours. Every live child is tracked so
 * the harness can kill them all when it exits, however it exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './paths.js';

export interface ServerProcess {
  label: string;
  url: string;
  /** Its process id, to read its memory from `/proc`. */
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 5_000;
const live = new Set<ChildProcess>();

/** Synchronous, so it can run in an `exit` handler: signals every child still alive. */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGTERM');
}

/** Starts `node --import tsx <script> ...args` in the repository root and waits for its URL. */
export function startServerProcess(label: string, script: string, args: readonly string[]): Promise<ServerProcess> {
  return startCommandServer(label, process.execPath, ['--import', 'tsx', script, ...args]);
}

/**
 * Starts any command as a server child in the repository root and waits for its URL. A
 * non-Node child learns that the harness is gone when the IPC channel, whose descriptor
 * is in its `NODE_CHANNEL_FD`, reaches end-of-file.
 */
export async function startCommandServer(label: string, command: string, args: readonly string[]): Promise<ServerProcess> {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    // The IPC channel lets the child notice when the harness is gone (child-lifecycle.ts).
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not print its URL within ${STARTUP_TIMEOUT_MS / 1000} s`)), STARTUP_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      if (/^https?:\/\/\S+$/.test(line)) resolve(line);
      else reject(new Error(`${label} printed "${line}" where its URL was expected`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${signal ?? `code ${code}`}) before printing its URL; its stderr is above`));
    });
    child.once('error', reject);
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  return {
    label,
    url,
    pid: child.pid!,
    async stop() {
      if (!live.has(child)) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
