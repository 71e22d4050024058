/** `slipway run <ref> --input …`: one synchronous run through the runs API. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError, type RunResponse } from '@slipway/core';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { formatTable } from '../output.js';

/** Reads `--input`: inline JSON, or `@path` to a JSON file (relative to `cwd`). */
export async function readRunInput(text: string, cwd: string): Promise<unknown> {
  const file = text.startsWith('@') ? text.slice(1) : undefined;
  let json = text;
  if (file !== undefined) {
    try {
      json = await readFile(resolve(cwd, file), 'utf8');
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      throw new InvalidInputError([{ path: '--input', message: `cannot read ${file} (${reason})` }], { cause: error });
    }
  }
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const what = file === undefined ? 'is' : `${file} is`;
    throw new InvalidInputError([{ path: '--input', message: `${what} not valid JSON (${reason}); give a record like '{"age": 41}' or @file.json` }], {
      cause: error,
    });
  }
}

/** Reads `--timeout`: a whole number of milliseconds, at least 1. */
export function parseTimeoutMs(text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text) || ms < 1) throw new InvalidArgumentError('must be a whole number of milliseconds, e.g. 2000');
  return ms;
}

/** For classifiers, a label and the probability of each class per record; otherwise each output as JSON. */
export function formatRun(response: RunResponse): string[] {
  const header = `${response.ref}  run ${response.id}  ${response.timings.totalMs.toFixed(1)} ms`;
  const predictions = response.predictions;
  if (predictions !== undefined && predictions.length > 0) {
    const classes = Object.keys(predictions[0]?.probabilities ?? {});
    const rows = predictions.map((p, i) => [String(i), p.label, ...classes.map((c) => (p.probabilities[c] ?? 0).toFixed(4))]);
    return [header, ...formatTable(['RECORD', 'LABEL', ...classes.map((c) => `P(${c})`)], rows)];
  }
  return [header, ...formatTable(['OUTPUT', 'VALUE'], Object.entries(response.outputs).map(([name, value]) => [name, JSON.stringify(value)]))];
}

export function registerRunCommand(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('run a pipeline once and print its prediction')
    .argument('<ref>', 'name, name:vN or name@alias')
    .requiredOption('--input <json|@file>', 'a record, a list of records, or named tensors, as JSON or @file.json')
    .option('--timeout <ms>', "deadline: fail with exit code 5 if the run is still queued after <ms> (default: the pipeline's serving.queueTimeoutMs)", parseTimeoutMs)
    .action(async (ref: string, flags: { input: string; timeout?: number }) => {
      const inputs = await readRunInput(flags.input, context.io.cwd);
      const response = await context.client().run({ pipeline: ref, inputs }, { timeoutMs: flags.timeout });
      context.output().result(response, () => formatRun(response));
    });
}
