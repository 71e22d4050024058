/** `slipway pipelines ls`: every pipeline with its latest version and aliases. */
import type { PipelineSummary } from '@slipway/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatVersion, formatWhen } from '../format.js';
import { formatTable } from '../output.js';

/** `production→v3, staging→v4`, sorted by alias. */
export function formatAliasMap(aliases: Record<string, number>): string {
  const names = Object.keys(aliases).sort();
  return names.length === 0 ? '–' : names.map((a) => `${a}→${formatVersion(aliases[a] ?? null)}`).join(', ');
}

export function formatPipelines(pipelines: readonly PipelineSummary[]): string[] {
  if (pipelines.length === 0) return ['no pipelines yet; create one with `slipway init <dir>` and `slipway push <dir>`'];
  return formatTable(
    ['NAME', 'LATEST', 'VERSIONS', 'ALIASES', 'UPDATED'],
    pipelines.map((p) => [p.name, formatVersion(p.latestVersion), String(p.versionCount), formatAliasMap(p.aliases), formatWhen(p.updatedAt)]),
  );
}

export function registerPipelinesCommands(program: Command, context: CommandContext): void {
  program
    .command('pipelines')
    .description('the pipelines in the registry')
    .command('ls', { isDefault: true })
    .description('list pipelines with their latest version and aliases (the default)')
    .action(async () => {
      const pipelines = await context.client().listPipelines();
      context.output().result({ pipelines }, () => formatPipelines(pipelines));
    });
}
