/**
 * `slipway profile <ref> -f data.csv`: (re)computes a version's reference profile from a
 * CSV — for versions pushed without `monitoring.reference`, or to refresh it.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { type ReferenceProfileRecord, formatVersionRef, parsePipelineRef } from '@slipway/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export function formatProfile(p: ReferenceProfileRecord): string[] {
  const features = Object.keys((p.features as { columns?: object } | null)?.columns ?? {}).length;
  const lines = [`${formatVersionRef(p.pipeline, p.version)} reference profile: ${p.rows} rows from ${p.source}, ${features} features`];
  if (p.evaluation !== null) {
    const metrics = Object.entries(p.evaluation.metrics)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k} ${v!.toFixed(4)}`)
      .join(', ');
    lines.push(`evaluation on ${p.evaluation.labelled} labelled rows: ${metrics}`);
    for (const f of Object.values(p.evaluation.fairness)) lines.push(`fairness ${f.attribute}: disparate impact ${f.disparateImpact === null ? '–' : f.disparateImpact.toFixed(3)}, parity difference ${f.demographicParityDifference.toFixed(3)}`);
  } else lines.push('no labels: name the label column in monitoring.label to evaluate and calibrate CBPE');
  return lines;
}

export function registerProfileCommand(program: Command, context: CommandContext): void {
  program
    .command('profile')
    .description("compute a version's reference profile from a CSV (header of feature names, optional label column)")
    .argument('<ref>', 'name (latest), name:vN or name@alias')
    .requiredOption('-f, --file <csv>', 'the reference CSV')
    .action(async (ref: string, flags: { file: string }) => {
      const { name, selector } = parsePipelineRef(ref, 'ref');
      const path = resolve(context.io.cwd, flags.file);
      const csv = await readFile(path, 'utf8');
      const version = selector.kind === 'version' ? selector.version : selector.kind === 'alias' ? `@${selector.alias}` : undefined;
      const profile = await context.client().monitoring.recomputeProfile(name, { csv, file: basename(path), ...(version === undefined ? {} : { version }) });
      context.output().result(profile, () => formatProfile(profile));
    });
}
