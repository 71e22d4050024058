/**
 * The fairness gate's arithmetic: disparate impact of decisions across the groups of one
 * protected attribute (favourable rate of everyone outside the privileged groups, pooled,
 * divided by that of the privileged groups — the four-fifths rule reads ≥ 0.8), and the
 * small CSV reader for a package's evaluation set. Pure; the server runs the model.
 */
import type { FairnessMeasurement } from './ports-policies.js';

export interface DisparateImpactInput {
  /** The attribute's value per row. */
  groups: readonly string[];
  /** The predicted class label per row. */
  decisions: readonly string[];
  favorableClass: string;
  privileged: readonly string[];
}

export function disparateImpact({ groups, decisions, favorableClass, privileged }: DisparateImpactInput): Pick<FairnessMeasurement, 'disparateImpact' | 'groups'> {
  const counts = new Map<string, { count: number; favorable: number }>();
  groups.forEach((g, i) => {
    const c = counts.get(g) ?? { count: 0, favorable: 0 };
    c.count += 1;
    if (decisions[i] === favorableClass) c.favorable += 1;
    counts.set(g, c);
  });
  const privilegedSet = new Set(privileged);
  const pooled = { privileged: { count: 0, favorable: 0 }, others: { count: 0, favorable: 0 } };
  const out: FairnessMeasurement['groups'] = [];
  for (const [group, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const isPrivileged = privilegedSet.has(group);
    const pool = isPrivileged ? pooled.privileged : pooled.others;
    pool.count += c.count;
    pool.favorable += c.favorable;
    out.push({ group, privileged: isPrivileged, count: c.count, favorable: c.favorable, rate: c.favorable / c.count });
  }
  const privilegedRate = pooled.privileged.count === 0 ? 0 : pooled.privileged.favorable / pooled.privileged.count;
  const othersRate = pooled.others.count === 0 ? null : pooled.others.favorable / pooled.others.count;
  return { disparateImpact: othersRate === null || privilegedRate === 0 ? null : othersRate / privilegedRate, groups: out };
}

/** Parses CSV with a header row (RFC 4180 quoting) into records of strings. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += ch;
  }
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  const [header, ...body] = rows;
  if (header === undefined) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
