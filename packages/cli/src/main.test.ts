import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './testing/capture-io.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'slipway-cli-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

/** A URL where nothing listens: a port that was free a moment ago. */
async function deadServer(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('main: arguments', () => {
  it('prints help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: slipway');
    expect(result.stdout).toMatch(/alias .*\n/);
  });

  it('exits 2 on an unknown command or a missing option, printing one error line', async () => {
    const unknown = await runCli(['pusj', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'pusj'\n\(Did you mean push\?\)\n$/);
    const missing = await runCli(['run', 'credit-risk']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("error: required option '--input <json|@file>' not specified\n");
  });

  it('refuses a bad --port before starting anything', async () => {
    const result = await runCli(['server', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('must be a port number');
  });

  it('refuses bad --model-memory and --worker-threads before starting anything', async () => {
    const memory = await runCli(['server', '--model-memory', 'lots']);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain("option '--model-memory <size>' argument 'lots' is invalid. must be a size such as 8GiB, 512MiB or 2GB");
    const threads = await runCli(['server', '--worker-threads', '0']);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain('must be a whole number of threads, at least 1');
  });

  it('exits 2 naming the flag for a bad warmup --for or run --timeout, before any network call', async () => {
    const env = { SLIPWAY_SERVER: await deadServer() };
    const warmup = await runCli(['warmup', 'credit-risk', '--for', '10min'], { env });
    expect(warmup).toEqual({ code: 2, stdout: '', stderr: "error: option '--for <duration>' argument '10min' is invalid. must be a duration such as 30s, 10m, 2h or 1d\n" });
    const run = await runCli(['run', 'credit-risk', '--input', '{}', '--timeout', '2s'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--timeout <ms>' argument '2s' is invalid");
  });

  it('exits 2 with the flag named for a bad --metric, before any network call', async () => {
    const result = await runCli(['push', cwd, '--metric', 'auc=high'], { env: { SLIPWAY_SERVER: await deadServer() } });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'error: --metric: auc: "high" is not a number\n' });
  });

  it('exits 2 naming the server option when it is not a URL', async () => {
    const result = await runCli(['pipelines', 'ls', '--server', 'localhost:8080']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: server: "localhost:8080" is not an http(s) URL; write it like http://127.0.0.1:8080\n');
  });

  it('exits 5 with one line saying how to start a server when none answers', async () => {
    const server = await deadServer();
    const result = await runCli(['pipelines', 'ls'], { env: { SLIPWAY_SERVER: server } });
    expect(result.code).toBe(5);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toContain(`error: cannot reach the Slipway server at ${server} (ECONNREFUSED); start one with \`npm start\``);
  });

  it('prints a stack with SLIPWAY_DEBUG=1', async () => {
    const result = await runCli(['pipelines', 'ls'], { env: { SLIPWAY_SERVER: await deadServer(), SLIPWAY_DEBUG: '1' } });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('    at ');
  });
});

describe('main: init', () => {
  it('scaffolds a package named after its folder, relative to cwd', async () => {
    const result = await runCli(['init', 'Fraud Model'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'created Fraud Model/slipway.yaml and Fraud Model/README.md for pipeline "fraud-model"\n' +
        'next: copy your ONNX model to Fraud Model/model.onnx, then run `slipway push Fraud Model`\n',
    );
    expect((await readdir(join(cwd, 'Fraud Model'))).sort()).toEqual(['README.md', 'slipway.yaml']);
    expect(await readFile(join(cwd, 'Fraud Model', 'slipway.yaml'), 'utf8')).toContain('\nname: fraud-model\n');
  });

  it('accepts global options after the command', async () => {
    const result = await runCli(['init', 'json-pkg', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ dir: join(cwd, 'json-pkg'), name: 'json-pkg', files: ['slipway.yaml', 'README.md'] });
  });

  it('refuses to overwrite a folder that is not empty', async () => {
    await mkdir(join(cwd, 'taken'));
    await writeFile(join(cwd, 'taken', 'notes.txt'), 'mine');
    const result = await runCli(['init', 'taken'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: taken: already exists and is not empty; choose a new folder (nothing was overwritten)\n');
    expect(await readdir(join(cwd, 'taken'))).toEqual(['notes.txt']);
  });
});
