/**
 * `slipway policy apply | ls | show | history | check` and `slipway approve`: governance
 * policies as YAML files, a version's verdict per environment (every rule, its evidence
 * and the fix), and four-eyes approvals. `policy check` exits 4 when a checked
 * environment is blocked, so a CI step can stop on it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type EnvironmentVerdict, ErrorCode, InvalidInputError, type PolicyRecord, SlipwayError, parsePolicy } from '@slipway/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatWhen } from '../format.js';
import { formatTable } from '../output.js';

export function formatPolicies(policies: readonly PolicyRecord[]): string[] {
  if (policies.length === 0) return ['no policies; apply one with `slipway policy apply -f policy.yaml`'];
  return formatTable(
    ['POLICY', 'VERSION', 'ENVIRONMENTS', 'RULES', 'APPLIED BY', 'APPLIED AT'],
    policies.map((p) => [p.name, `v${p.version}`, p.document.environments.join(', '), Object.keys(p.document.rules).join(', '), p.actor, formatWhen(p.createdAt)]),
  );
}

/** One block per environment: verdict, then each rule with its finding and, when failed, the fix. */
export function formatVerdicts(ref: string, verdicts: readonly EnvironmentVerdict[]): string[] {
  const lines: string[] = [];
  for (const v of verdicts) {
    lines.push(`${ref} → ${v.environment}: ${v.passed ? 'allowed' : 'BLOCKED'}${v.policies.length === 0 ? ' (no policy covers it)' : ` (${v.policies.join(', ')})`}`);
    for (const r of v.rules) {
      lines.push(`  ${r.passed ? 'pass' : 'FAIL'}  ${r.policy} ${r.rule}: ${r.message}`);
      if (r.fix !== undefined) lines.push(`        fix: ${r.fix}`);
    }
  }
  return lines;
}

export function registerPolicyCommands(program: Command, context: CommandContext): void {
  const policy = program.command('policy').description('governance policies: prohibited features (Regulation B), evidence, fairness, approvals');

  policy
    .command('apply')
    .description('apply a policy YAML file; a changed policy becomes its next version')
    .requiredOption('-f, --file <policy.yaml>', 'the policy file')
    .action(async (flags: { file: string }) => {
      const source = await readFile(resolve(context.io.cwd, flags.file), 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new InvalidInputError([{ path: 'file', message: `cannot read ${flags.file} (${error.code ?? error.message})` }]);
      });
      // Checked here too, so a typo is reported before anything is sent.
      const { name } = parsePolicy(source);
      const result = await context.client().policies.apply(name, source);
      context.output().result(result, () => [result.created ? `${name} v${result.policy.version} applied` : `${name} v${result.policy.version} unchanged`]);
    });

  policy
    .command('ls')
    .description('list policies (latest version of each)')
    .action(async () => {
      const policies = await context.client().policies.list();
      context.output().result({ policies }, () => formatPolicies(policies));
    });

  policy
    .command('show')
    .description("print a policy's YAML as applied")
    .argument('<name>', 'the policy')
    .action(async (name: string) => {
      const record = await context.client().policies.get(name);
      context.output().result(record, () => [`# ${record.name} v${record.version}, applied by ${record.actor} at ${formatWhen(record.createdAt)}`, ...record.source.trimEnd().split('\n')]);
    });

  policy
    .command('history')
    .description('every version of a policy, oldest first')
    .argument('<name>', 'the policy')
    .action(async (name: string) => {
      const history = await context.client().policies.history(name);
      context.output().result({ history }, () => formatPolicies(history));
    });

  policy
    .command('check')
    .description("a version's verdict per environment: every rule, its evidence and the fix; exits 4 when blocked")
    .argument('<ref>', 'e.g. credit-risk:v4 or credit-risk@staging')
    .option('--env <environment>', 'one environment (alias), e.g. production; default every environment a policy names')
    .action(async (ref: string, flags: { env?: string }) => {
      const result = await context.client().policies.check(ref, flags.env);
      context.output().result(result, () => formatVerdicts(result.ref, result.environments));
      const blocked = result.environments.filter((e) => !e.passed).map((e) => e.environment);
      if (blocked.length > 0) {
        throw new SlipwayError(ErrorCode.forbidden, `${result.ref} is blocked from ${blocked.join(', ')}`, { details: { blocked } });
      }
    });

  program
    .command('approve')
    .description('approve a version for promotion (four eyes: never your own push)')
    .argument('<ref>', 'e.g. credit-risk:v4')
    .option('--comment <text>', 'why, for the audit trail and the compliance report', '')
    .action(async (ref: string, flags: { comment: string }) => {
      const result = await context.client().policies.approve(ref, flags.comment);
      const { approval } = result;
      context.output().result(result, () => [`${approval.pipeline}:v${approval.version} approved by ${approval.approver}${result.created ? '' : ' (already)'}`]);
    });
}
