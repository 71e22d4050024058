/**
 * `slipway report <ref> -o report.html`: a version's compliance report, written as JSON,
 * standalone HTML or PDF — the format follows the file's extension unless `--format`
 * says otherwise. Without `-o` the JSON is printed.
 */
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { InvalidInputError } from '@slipway/core';
import type { ReportFormat } from '@slipway/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

const FORMATS: readonly ReportFormat[] = ['json', 'html', 'pdf'];

/** The format for an output path: `--format` wins, else the extension (.htm/.html, .pdf, .json). */
export function reportFormat(output: string | undefined, format: string | undefined): ReportFormat {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new InvalidInputError([{ path: 'format', message: `"${format}" is not one of ${FORMATS.join(', ')}` }]);
    return format as ReportFormat;
  }
  if (output === undefined) return 'json';
  const ext = extname(output).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.pdf') return 'pdf';
  if (ext === '.json') return 'json';
  throw new InvalidInputError([{ path: 'output', message: `cannot tell the format from "${output}"; end it in .html, .pdf or .json, or pass --format` }]);
}

export function registerReportCommand(program: Command, context: CommandContext): void {
  program
    .command('report')
    .description("a version's compliance report: lineage, features, policy results, exceptions, approvals, fairness, drift, aliases, audit")
    .argument('<ref>', 'e.g. credit-risk:v4; with --deployment, the pipeline name')
    .option('--deployment <environment>', "report on the version this pipeline's deployment in <environment> serves")
    .option('-o, --output <file>', 'write it here; the format follows the extension (.html, .pdf, .json)')
    .option('--format <format>', 'json, html or pdf (pdf needs Chromium on the server)')
    .action(async (ref: string, flags: { output?: string; format?: string; deployment?: string }) => {
      const format = reportFormat(flags.output, flags.format);
      const policies = context.client().policies;
      const env = flags.deployment;
      let bytes: Uint8Array;
      if (format === 'json') {
        const report = env === undefined ? await policies.report(ref, 'json') : await policies.deploymentReport(ref, env, 'json');
        bytes = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        bytes = env === undefined ? await policies.report(ref, format) : await policies.deploymentReport(ref, env, format);
      }
      if (flags.output === undefined) {
        context.io.stdout(Buffer.from(bytes).toString('utf8'));
        return;
      }
      const path = resolve(context.io.cwd, flags.output);
      await writeFile(path, bytes);
      context.output().result({ ref, format, path, bytes: bytes.byteLength }, () => [`${ref}: ${format} report written to ${flags.output} (${bytes.byteLength} bytes)`]);
    });
}
