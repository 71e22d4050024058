/**
 * `slipway warmup | cooldown | serving ls`: what the serving engine keeps loaded. A
 * warmed-up version is pinned (never evicted) until cooldown or until its `--for` ends.
 */
import { type CooldownResponse, formatVersionRef, type LoadedVersionView, type ServingModelsResponse } from '@slipway/core';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { formatBytes, formatWhen } from '../format.js';
import { formatTable } from '../output.js';

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Reads `--for`: `30s`, `10m`, `2h` or `1d`, in seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  const seconds = m ? Number(m[1]) * (SECONDS_PER_UNIT[m[2] ?? ''] ?? 0) : 0;
  if (seconds <= 0) throw new InvalidArgumentError('must be a duration such as 30s, 10m, 2h or 1d');
  return seconds;
}

export function formatPinned(pinnedUntil: string | null): string {
  if (pinnedUntil === null) return '–';
  return pinnedUntil === 'cooldown' ? 'until cooldown' : `until ${formatWhen(pinnedUntil)}`;
}

export function formatWarmup(v: LoadedVersionView): string {
  const cost = `${formatBytes(v.bytes)}; loaded in ${v.loadMs.toFixed(1)} ms, warm-up run ${v.warmupMs.toFixed(1)} ms`;
  return `${formatVersionRef(v.pipeline, v.version)} warm on ${v.host} (${cost}), pinned ${formatPinned(v.pinnedUntil)}`;
}

export function formatCooldown(r: CooldownResponse): string {
  return `${formatVersionRef(r.pipeline, r.version)} unpinned${r.loaded ? '; still loaded' : ' and unloaded'}`;
}

/** The loaded versions, then how much of the memory budget they use. */
export function formatServingModels({ budgetBytes, usedBytes, models }: ServingModelsResponse): string[] {
  const budget = `memory: ${formatBytes(usedBytes)} used of ${formatBytes(budgetBytes)}`;
  if (models.length === 0) return ['no versions loaded; a version loads on its first run, or with `slipway warmup <ref>`', budget];
  const rows = models.map((m) => [formatVersionRef(m.pipeline, m.version), m.host, formatBytes(m.bytes), String(m.hits), formatPinned(m.pinnedUntil)]);
  return [...formatTable(['VERSION', 'HOST', 'MEMORY', 'HITS', 'PINNED'], rows), '', budget];
}

export function registerServingCommands(program: Command, context: CommandContext): void {
  program
    .command('warmup')
    .description('load a version now and keep it loaded (pinned) until cooldown, or for a while')
    .argument('<ref>', 'name (latest), name:vN or name@alias')
    .option('--for <duration>', 'keep it pinned this long: 30s, 10m, 2h, 1d (default: until `slipway cooldown`)', parseDuration)
    .action(async (ref: string, flags: { for?: number }) => {
      const loaded = await context.client().warmup(ref, { durationSeconds: flags.for });
      context.output().result(loaded, () => [formatWarmup(loaded)]);
    });

  program
    .command('cooldown')
    .description('release the pin on a version and unload it')
    .argument('<ref>', 'name (latest), name:vN or name@alias')
    .action(async (ref: string) => {
      const result = await context.client().cooldown(ref);
      context.output().result(result, () => [formatCooldown(result)]);
    });

  program
    .command('serving')
    .description('the serving engine: which versions are loaded, where, and in how much memory')
    .command('ls', { isDefault: true })
    .description('list loaded versions with host, memory, hits and pin, and the memory budget (the default)')
    .action(async () => {
      const serving = await context.client().servingModels();
      context.output().result(serving, () => formatServingModels(serving));
    });
}
