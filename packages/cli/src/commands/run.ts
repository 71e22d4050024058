/** `slipway run <ref> --input …`: one run through the runs API: sync, `--async` (optionally `--wait`), or `--stream`. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, type FieldIssue, InvalidInputError, type RunResponse, type RunStreamOutput, SlipwayError } from '@slipway/core';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { formatTable } from '../output.js';
import { formatRunRecord, throwIfFailed } from './runs.js';

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

interface RunFlags {
  input: string;
  timeout?: number;
  async?: boolean;
  callback?: string;
  wait?: boolean;
  stream?: boolean;
}

/** Which of --async, --callback, --wait and --stream go together; throws naming the flags that do not. */
export function checkRunModeFlags(flags: Omit<RunFlags, 'input'>): void {
  const issues: FieldIssue[] = [];
  if (flags.stream === true && flags.async === true) issues.push({ path: '--stream', message: 'cannot be combined with --async; pick one' });
  if (flags.callback !== undefined && flags.async !== true) issues.push({ path: '--callback', message: 'needs --async' });
  if (flags.wait === true && flags.async !== true) issues.push({ path: '--wait', message: 'needs --async' });
  if (flags.timeout !== undefined && (flags.async === true || flags.stream === true)) issues.push({ path: '--timeout', message: 'applies to sync runs only' });
  if (issues.length > 0) throw new InvalidInputError(issues);
}

async function runAsyncOrStream(context: CommandContext, ref: string, inputs: unknown, flags: RunFlags): Promise<void> {
  checkRunModeFlags(flags);
  const client = context.client();
  const output = context.output();
  if (flags.stream === true) {
    for await (const event of client.runs.stream({ pipeline: ref, inputs })) {
      // JSON lines with --json: one event per line, as they arrive.
      if (output.json) context.io.stdout(`${JSON.stringify(event)}\n`);
      else if (event.event === 'output') context.io.stdout(`${formatStreamOutput(event.data)}\n`);
      else if (event.event === 'done') context.io.stdout(`${event.data.id} ${event.data.state} (${event.data.pipeline}:v${event.data.version ?? '?'})\n`);
      if (event.event === 'error') {
        const run = event.data.run;
        if (run) throwIfFailed(run);
        throw new SlipwayError(ErrorCode.internal, event.data.message);
      }
      if (event.event === 'done') throwIfFailed(event.data);
    }
    return;
  }
  const queued = await client.runs.submit({ pipeline: ref, inputs, ...(flags.callback === undefined ? {} : { callbackUrl: flags.callback }) });
  if (flags.wait !== true) {
    output.result(queued, () => [`${queued.id} ${queued.state}`]);
    return;
  }
  const run = await client.runs.wait(queued.id);
  output.result(run, () => formatRunRecord(run));
  throwIfFailed(run);
}

/** One partial: `[from..to)` and, for classifiers, the labels, else the outputs as JSON. */
export function formatStreamOutput(part: RunStreamOutput): string {
  const rows = part.count === 1 ? `record ${part.from}` : `records ${part.from}–${part.from + part.count - 1}`;
  const labels = part.predictions?.map((p) => p.label).join(', ');
  return `${rows}: ${labels ?? JSON.stringify(part.outputs)}`;
}

export function registerRunCommand(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('run a pipeline once and print its prediction')
    .argument('<ref>', 'name, name:vN or name@alias')
    .requiredOption('--input <json|@file>', 'a record, a list of records, or named tensors, as JSON or @file.json')
    .option('--timeout <ms>', "deadline: fail with exit code 5 if the run is still queued after <ms> (default: the pipeline's serving.queueTimeoutMs)", parseTimeoutMs)
    .option('--async', 'queue the run and print its id (see `slipway runs get`)')
    .option('--callback <url>', 'with --async: POST the finished run record to <url>, signed')
    .option('--wait', 'with --async: wait until the run finishes and print its record (exit non-zero when it failed)')
    .option('--stream', 'print partial outputs as they arrive (one per record)')
    .action(async (ref: string, flags: RunFlags) => {
      const inputs = await readRunInput(flags.input, context.io.cwd);
      if (flags.async === true || flags.stream === true || flags.callback !== undefined || flags.wait === true) {
        await runAsyncOrStream(context, ref, inputs, flags);
        return;
      }
      const response = await context.client().run({ pipeline: ref, inputs }, { timeoutMs: flags.timeout });
      context.output().result(response, () => formatRun(response));
    });
}
