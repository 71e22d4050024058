/**
 * Renders a compliance report as one standalone, printable HTML page: inline styles, no
 * scripts, no external assets, so it can be archived or mailed as is. Every value from
 * the report passes through `escapeHtml`: pipeline descriptions and comments are user
 * text and must never become markup.
 */
import { describePrivileged } from '@slipway/core';
import type { ComplianceReport, Unavailable } from './report.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (value === null || value === undefined) text = '';
  else text = JSON.stringify(value) ?? '';
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const isUnavailable = (v: unknown): v is Unavailable => typeof v === 'object' && v !== null && 'unavailable' in v;

function table(headers: readonly string[], rows: readonly (readonly unknown[])[], empty = 'None.'): string {
  if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function keyValues(entries: readonly (readonly [string, unknown])[]): string {
  return `<dl>${entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v ?? '—')}</dd>`).join('')}</dl>`;
}

const unavailable = (v: Unavailable) => `<p class="muted">Unavailable: ${escapeHtml(v.unavailable)}</p>`;
const num = (v: number | null) => (v === null ? '—' : v.toFixed(3));

export function renderReportHtml(r: ComplianceReport): string {
  const verdicts = r.policy.environments
    .map(
      (env) => `<h3>${escapeHtml(env.environment)}: <span class="${env.passed ? 'pass' : 'fail'}">${env.passed ? 'ALLOWED' : 'BLOCKED'}</span></h3>
<p class="muted">Policies: ${escapeHtml(env.policies.join(', ') || 'none cover this environment')}</p>
${table(
  ['Policy', 'Rule', 'Result', 'Finding', 'How to fix'],
  env.rules.map((rule) => [`${rule.policy} v${rule.policyVersion}`, rule.rule, rule.passed ? 'pass' : 'FAIL', rule.message, rule.fix ?? '']),
  'No rules apply.',
)}`,
    )
    .join('\n');
  const fairness = table(
    ['Attribute', 'Evaluation set', 'Favourable class', 'Privileged', 'Disparate impact', 'Groups (favourable/count)', 'Problem'],
    r.fairness.atPush.map((m) => [m.attribute, m.evaluationSet, m.favorableClass, describePrivileged(m.privileged), num(m.disparateImpact), m.groups.map((g) => `${g.group}: ${g.favorable}/${g.count}`).join('; '), m.error ?? '']),
    'No fairness rule asked for a measurement when this version was pushed.',
  );
  const drift = isUnavailable(r.drift) ? unavailable(r.drift) : table(
        ['Day', 'Rows', 'Dataset drift', 'Drifted features'],
        r.drift.map((d) => [d.start.slice(0, 10), d.rows, d.datasetDrifted === null ? 'no reference' : d.datasetDrifted ? 'DRIFTED' : 'no', `${d.driftedFeatures.join(', ') || 'none'} (of ${d.evaluatedFeatures ?? 0})`]),
        'No production windows yet.',
      );
  const deployments = isUnavailable(r.deployments)
    ? unavailable(r.deployments)
    : table(['Environment', 'Target', 'By', 'Updated'], r.deployments.map((d) => [d.environment, d.target, d.createdBy, d.updatedAt]), 'Not deployed.');
  const incidents = isUnavailable(r.incidents)
    ? unavailable(r.incidents)
    : table(['Opened', 'Title', 'Severity', 'State', 'Resolved'], r.incidents.map((i) => [i.openedAt, i.title, i.severity, i.state, i.resolvedAt ?? '']), 'No incidents.');
  const atPush = table(
    ['Environment', 'Verdict at push', 'Failed rules'],
    r.policy.atPush.map((v) => [v.environment, v.passed ? 'allowed' : 'blocked', v.rules.filter((x) => !x.passed).map((x) => `${x.policy} ${x.rule}`).join(', ')]),
    'No verdict was recorded at push.',
  );
  const audit = isUnavailable(r.audit)
    ? unavailable(r.audit)
    : table(['#', 'Time', 'Actor', 'Action', 'Target', 'Outcome'], r.audit.map((e) => [e.seq, e.at, e.actor, e.action, e.target, e.outcome]), 'No audit events for this pipeline.');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report: ${escapeHtml(r.ref)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; font-size: 1.2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { border: 1px solid #ccc; padding: .25rem .4rem; text-align: left; vertical-align: top; font-size: 12px; word-break: break-word; }
th { background: #f3f3f3; } dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: 600; } dd { margin: 0; word-break: break-all; }
.pass { color: #176117; } .fail { color: #a11; } .muted { color: #666; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Compliance report: ${escapeHtml(r.ref)}</h1>
<p class="muted">Generated ${escapeHtml(r.generatedAt)} by Slipway.</p>
${r.deployment === undefined ? '' : `<p>Deployment: ${escapeHtml(r.deployment.pipeline)} in <strong>${escapeHtml(r.deployment.environment)}</strong>, serving ${escapeHtml(r.deployment.target)} (updated ${escapeHtml(r.deployment.updatedAt)})</p>`}
<h2>Identity</h2>
${keyValues([
  ['Pipeline', r.identity.pipeline],
  ['Version', r.identity.version],
  ['Description', r.identity.description],
  ['Digest', r.identity.digest],
  ['Pushed by', r.identity.pushedBy],
  ['Pushed at', r.identity.pushedAt],
  ['Tags', Object.entries(r.identity.tags).map(([k, v]) => `${k}=${v}`).join(', ')],
])}
<h2>Lineage</h2>
${keyValues([
  ['Dataset', r.lineage.dataset?.uri],
  ['Dataset digest', r.lineage.dataset?.digest],
  ['Code commit', r.lineage.codeCommit],
  ['Code repository', r.lineage.codeRepository],
  ['Parameters', Object.entries(r.lineage.parameters).map(([k, v]) => `${k}=${String(v)}`).join(', ')],
  ['Metrics', Object.entries(r.lineage.metrics).map(([k, v]) => `${k}=${v}`).join(', ')],
])}
<h2>Signature and features</h2>
${table(['Direction', 'Name', 'Datatype', 'Shape'], [...r.signature.inputs.map((t) => ['input', t.name, t.datatype, JSON.stringify(t.shape)]), ...r.signature.outputs.map((t) => ['output', t.name, t.datatype, JSON.stringify(t.shape)])])}
${table(['Feature', 'Type', 'Categories', 'Description'], r.features.map((f) => [f.name, f.type, f.categories?.join(', ') ?? '', f.description ?? '']), 'No tabular features declared.')}
<h2>Policy results</h2>
${verdicts}
<h3>At push</h3>
${atPush}
<h3>Exceptions</h3>
${table(['Feature', 'Legal basis', 'Scope', 'Proposed by', 'Approved by'], r.policy.exceptions.map((e) => [e.feature, e.legalBasis, e.version === null ? 'all versions' : `v${e.version}`, e.proposedBy, e.approvedBy ?? 'not yet approved']))}
<h2>Approvals</h2>
${table(['Approver', 'Role', 'When', 'Comment'], r.approvals.map((a) => [a.approver, a.role, a.createdAt, a.comment]))}
<h2>Fairness (evaluation set, at push)</h2>
${fairness}
<h2>Drift history</h2>
${drift}
<h2>Incidents</h2>
${incidents}
<h2>Aliases and deployments</h2>
<p>Serving now as: ${escapeHtml(r.aliases.current.map((a) => `@${a}`).join(', ') || 'no alias')}</p>
${table(['Alias', 'From', 'To', 'By', 'When'], r.aliases.history.map((e) => [`@${e.alias}`, e.fromVersion === null ? '—' : `v${e.fromVersion}`, `v${e.toVersion}`, e.actor, e.at]), 'Never promoted.')}
${deployments}
<h2>Audit trail (latest)</h2>
${audit}
<h2>Artifacts</h2>
${table(['Path', 'Digest', 'Bytes'], r.artifacts.map((a) => [a.path, a.digest, a.size]))}
</body>
</html>
`;
}
