/** `slipway runs get|ls|cancel`: the records of async and streaming runs. */
import { ErrorCode, type RunRecord, RunState, SlipwayError } from '@slipway/core';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { formatFields, formatTable } from '../output.js';

const STATES = Object.values(RunState);

function parseState(text: string): RunState {
  if (!(STATES as string[]).includes(text)) throw new InvalidArgumentError(`must be one of ${STATES.join(', ')}`);
  return text as RunState;
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
}

const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);

/** A run record as `key  value` lines: state, version served, timings, error, callback. */
export function formatRunRecord(run: RunRecord): string[] {
  const fields: [string, string][] = [
    ['run', run.id],
    ['state', run.state],
    ['pipeline', run.version === null ? run.ref : `${run.ref} → ${run.pipeline}:v${run.version}`],
    ['mode', run.mode],
    ['enqueued', run.timings.enqueuedAt],
    ['queue', ms(run.timings.queueMs)],
    ['compute', ms(run.timings.computeMs)],
  ];
  if (run.executions > 1) fields.push(['executions', String(run.executions)]);
  if (run.error !== null) fields.push(['error', `${run.error.class}: ${run.error.message}`]);
  if (run.callback !== null) {
    const last = run.callback.attempts.at(-1);
    const outcome = last === undefined ? '' : `, last ${last.status ?? last.error ?? ''}`;
    fields.push(['callback', `${run.callback.state} after ${run.callback.attempts.length} attempt(s)${outcome} → ${run.callback.url}`]);
  }
  if (run.outputsTruncated) fields.push(['outputs', 'over the record size cap: not kept']);
  else if (run.outputs !== null) fields.push(['outputs', JSON.stringify(run.outputs)]);
  return formatFields(fields);
}

export function formatRunList(runs: readonly RunRecord[]): string[] {
  if (runs.length === 0) return ['no runs'];
  return formatTable(
    ['RUN', 'STATE', 'PIPELINE', 'VERSION', 'MODE', 'ENQUEUED', 'ERROR'],
    runs.map((r) => [r.id, r.state, r.ref, r.version === null ? '-' : `v${r.version}`, r.mode, r.timings.enqueuedAt, r.error?.class ?? '']),
  );
}

/** A failed run ends the command with the exit code of its error; completed and cancelled are fine. */
export function throwIfFailed(run: RunRecord): void {
  if (run.state !== 'failed' || run.error === null) return;
  const code = (Object.values(ErrorCode) as string[]).includes(run.error.code) ? (run.error.code as ErrorCode) : ErrorCode.internal;
  throw new SlipwayError(code, `run ${run.id} failed (${run.error.class}): ${run.error.message}`, { details: { run: run.id } });
}

export function registerRunsCommands(program: Command, context: CommandContext): void {
  const runs = program.command('runs').description('records of async and streaming runs');
  runs
    .command('get')
    .description('show a run: state, version served, timings, error, callback attempts')
    .argument('<id>', 'the run id')
    .action(async (id: string) => {
      const run = await context.client().runs.get(id);
      context.output().result(run, () => formatRunRecord(run));
    });
  runs
    .command('ls')
    .description('list runs, newest first')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--state <state>', `only runs in this state (${STATES.join(', ')})`, parseState)
    .option('--limit <n>', 'at most this many (default 50)', parseLimit)
    .action(async (flags: { pipeline?: string; state?: RunState; limit?: number }) => {
      const list = await context.client().runs.list(flags);
      context.output().result({ runs: list }, () => formatRunList(list));
    });
  runs
    .command('cancel')
    .description('cancel a queued or running run (a finished one exits 6, naming its state)')
    .argument('<id>', 'the run id')
    .action(async (id: string) => {
      const run = await context.client().runs.cancel(id);
      context.output().result(run, () => [`${run.id} ${run.state}`]);
    });
}
