/** `slipway versions <name>` and `slipway show <ref>`: what was pushed, by whom, from what. */
import { type AliasRecord, formatVersionRef, parsePipelineRef, type VersionRecord } from '@slipway/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatBytes, formatPairs, formatShape, formatVersion, formatWhen, shortDigest } from '../format.js';
import { formatFields, formatTable } from '../output.js';

/** Newest first, with the aliases pointing at each version. */
export function formatVersions(versions: readonly VersionRecord[], aliases: Record<string, number>): string[] {
  const aliasesOf = (version: number) =>
    Object.keys(aliases)
      .filter((a) => aliases[a] === version)
      .sort()
      .join(', ') || '–';
  return formatTable(
    ['VERSION', 'CREATED', 'BY', 'ALIASES', 'DIGEST'],
    versions.map((v) => [formatVersion(v.version), formatWhen(v.createdAt), v.createdBy, aliasesOf(v.version), shortDigest(v.digest)]),
  );
}

function section(title: string, lines: readonly string[]): string[] {
  return ['', title, ...lines.map((l) => `  ${l}`)];
}

/** Everything about one version: signature, features, lineage, artifacts, aliases. */
export function formatVersionDetails(v: VersionRecord, aliases: readonly AliasRecord[]): string[] {
  const pointing = aliases.filter((a) => a.version === v.version).map((a) => `${a.pipeline}@${a.alias}`);
  const { lineage, manifest } = v;
  const lines = [formatVersionRef(v.pipeline, v.version), ...(manifest.description ? [`  ${manifest.description}`] : [])];
  lines.push(
    ...section(
      'signature',
      formatTable(
        ['', 'NAME', 'DATATYPE', 'SHAPE'],
        [
          ...v.signature.inputs.map((s) => ['input', s.name, s.datatype, formatShape(s)]),
          ...v.signature.outputs.map((s) => ['output', s.name, s.datatype, formatShape(s)]),
        ],
      ),
    ),
  );
  if (manifest.tabular) {
    lines.push(
      ...section(
        `features (records for input ${manifest.tabular.input ?? v.signature.inputs[0]?.name ?? '?'})`,
        formatTable(
          ['NAME', 'TYPE', 'VALUES'],
          manifest.tabular.features.map((f) => [f.name, f.type, f.categories?.join(' | ') ?? '']),
        ),
      ),
    );
  }
  const dataset = lineage.dataset ? `${lineage.dataset.uri}${lineage.dataset.digest ? ` (${lineage.dataset.digest})` : ''}` : '–';
  const code = lineage.codeCommit ? `${lineage.codeCommit}${lineage.codeRepository ? ` (${lineage.codeRepository})` : ''}` : (lineage.codeRepository ?? '–');
  lines.push(
    ...section(
      'lineage',
      formatFields([
        ['code commit', code],
        ['dataset', dataset],
        ['parameters', formatPairs(lineage.parameters)],
        ['metrics', formatPairs(lineage.metrics)],
        ['pushed', `by ${v.createdBy} at ${formatWhen(v.createdAt)}`],
        ['digest', v.digest],
      ]),
    ),
  );
  lines.push(
    ...section(
      'artifacts',
      formatTable(
        ['PATH', 'SIZE', 'DIGEST'],
        v.artifacts.map((a) => [a.path, formatBytes(a.size), a.digest]),
      ),
    ),
  );
  lines.push('', `aliases: ${pointing.length === 0 ? '–' : pointing.join(', ')}`);
  return lines;
}

export function registerVersionCommands(program: Command, context: CommandContext): void {
  program
    .command('versions')
    .description("list a pipeline's versions, newest first")
    .argument('<name>', 'the pipeline')
    .action(async (name: string) => {
      const client = context.client();
      const [versions, pipeline] = await Promise.all([client.listVersions(name), client.getPipeline(name)]);
      context.output().result({ versions }, () => formatVersions(versions, pipeline.aliases));
    });

  program
    .command('show')
    .description('show a version: signature, features, lineage, artifacts and aliases')
    .argument('<ref>', 'name (latest), name:vN or name@alias')
    .action(async (ref: string) => {
      const client = context.client();
      const { name } = parsePipelineRef(ref, 'ref');
      const [version, aliases] = await Promise.all([client.resolve(ref), client.listAliases(name)]);
      context.output().result({ version, aliases: aliases.filter((a) => a.version === version.version) }, () => formatVersionDetails(version, aliases));
    });
}
