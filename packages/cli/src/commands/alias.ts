/** `slipway alias set | ls | history`: movable pointers to versions, with their history. */
import { type AliasEvent, type AliasRecord, InvalidInputError, parsePipelineRef, parseVersion } from '@slipway/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatVersion, formatWhen } from '../format.js';
import { formatTable } from '../output.js';

/** Reads `name@alias`; anything else is refused with the form to use. */
export function parseAliasRef(text: string): { name: string; alias: string } {
  const ref = parsePipelineRef(text, 'alias');
  if (ref.selector.kind !== 'alias') {
    throw new InvalidInputError([{ path: 'alias', message: `"${text}" names no alias; write name@alias, e.g. ${ref.name}@production` }]);
  }
  return { name: ref.name, alias: ref.selector.alias };
}

export function formatAliases(name: string, aliases: readonly AliasRecord[]): string[] {
  if (aliases.length === 0) return [`${name} has no aliases; set one with \`slipway alias set ${name}@production v1\``];
  return formatTable(
    ['ALIAS', 'VERSION', 'UPDATED BY', 'UPDATED AT'],
    aliases.map((a) => [`${a.pipeline}@${a.alias}`, formatVersion(a.version), a.updatedBy, formatWhen(a.updatedAt)]),
  );
}

export function formatAliasHistory(history: readonly AliasEvent[]): string[] {
  return formatTable(
    ['WHEN', 'WHO', 'FROM → TO'],
    history.map((e) => [formatWhen(e.at), e.actor, `${formatVersion(e.fromVersion)} → ${formatVersion(e.toVersion)}`]),
  );
}

export function registerAliasCommands(program: Command, context: CommandContext): void {
  const alias = program.command('alias').description('point aliases such as @production at versions, and see their history');

  alias
    .command('set')
    .description('point an alias at a version (creating the alias if needed)')
    .argument('<name@alias>', 'e.g. credit-risk@production')
    .argument('<version>', 'v3 or 3')
    .action(async (ref: string, versionText: string) => {
      const { name, alias: aliasName } = parseAliasRef(ref);
      const record = await context.client().setAlias(name, aliasName, parseVersion(versionText));
      context.output().result(record, () => [`${record.pipeline}@${record.alias} → ${formatVersion(record.version)}`]);
    });

  alias
    .command('ls')
    .description("list a pipeline's aliases")
    .argument('<name>', 'the pipeline')
    .action(async (name: string) => {
      const aliases = await context.client().listAliases(name);
      context.output().result({ aliases }, () => formatAliases(name, aliases));
    });

  alias
    .command('history')
    .description('every move of an alias, oldest first: when, who, from → to')
    .argument('<name@alias>', 'e.g. credit-risk@production')
    .action(async (ref: string) => {
      const { name, alias: aliasName } = parseAliasRef(ref);
      const history = await context.client().aliasHistory(name, aliasName);
      context.output().result({ history }, () => formatAliasHistory(history));
    });
}
