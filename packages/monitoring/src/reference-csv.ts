/**
 * Reads a reference dataset from CSV: a header naming the columns, then one row per
 * line. Columns are matched to the manifest's tabular features by name (extra columns
 * are ignored, a missing feature column is an error) and every cell is checked against
 * its feature's type, so a bad file is refused at push naming the file, line and column
 * of each problem instead of producing a silently wrong profile.
 */
import { type FeatureSpec, type FieldIssue, InvalidPackageError } from '@slipway/core';
import type { FeatureValue } from './run-rows.js';

export interface ReferenceRows {
  /** Feature values per column, in row order (null where the cell is empty). */
  columns: Record<string, FeatureValue[]>;
  /** The same values as one record per row. */
  records: Record<string, FeatureValue>[];
  /** The label column's raw cells when it was asked for, null where empty. */
  labels: (string | null)[] | null;
  rows: number;
}

export interface ReferenceCsvOptions {
  /** Shown in every issue: the file's path in the package, or the uploaded file's name. */
  file: string;
  features: readonly FeatureSpec[];
  /** Column holding the true label; required to exist when given. */
  label?: string;
  /** A classifier's classes: each label must be one of them or its index (`0`, `1`). */
  labelClasses?: readonly string[];
  /** Problems reported before giving up. Default 20. */
  maxIssues?: number;
}

/** Splits CSV text into records of fields (RFC 4180: quoted fields, "" escapes, CRLF or LF). */
export function splitCsv(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return out;
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** Parses reference rows for `features`; throws `InvalidPackageError` naming file, line and column of every problem. */
export function parseReferenceCsv(text: string, options: ReferenceCsvOptions): ReferenceRows {
  const { file, features, label } = options;
  const maxIssues = options.maxIssues ?? 20;
  const issues: FieldIssue[] = [];
  const records = splitCsv(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = records[0];
  if (header === undefined) throw new InvalidPackageError([{ path: file, message: 'is empty; give a header of feature names and at least one row' }]);
  const index = new Map(header.fields.map((name, i) => [name.trim(), i]));
  for (const f of features) if (!index.has(f.name)) issues.push({ path: `${file}: line 1, column ${f.name}`, message: `is missing from the header; the reference needs every feature (${features.map((x) => x.name).join(', ')})` });
  if (label !== undefined && !index.has(label)) issues.push({ path: `${file}: line 1, column ${label}`, message: 'is missing from the header; monitoring.label names the column with the true label' });
  if (records.length < 2) issues.push({ path: file, message: 'has a header but no rows' });
  if (issues.length > 0) throw new InvalidPackageError(issues);

  const columns: Record<string, FeatureValue[]> = Object.fromEntries(features.map((f) => [f.name, []]));
  const labels: (string | null)[] | null = label === undefined ? null : [];
  const out: Record<string, FeatureValue>[] = [];
  for (let r = 1; r < records.length && issues.length < maxIssues; r++) {
    const { fields, line } = records[r]!;
    if (fields.length !== header.fields.length) {
      issues.push({ path: `${file}: line ${line}`, message: `has ${fields.length} fields for ${header.fields.length} columns in the header` });
      continue;
    }
    const record: Record<string, FeatureValue> = {};
    for (const f of features) {
      const cell = fields[index.get(f.name)!]!.trim();
      const at = `${file}: line ${line}, column ${f.name}`;
      let value: FeatureValue = null;
      if (cell !== '') {
        switch (f.type) {
          case 'numeric': {
            const n = Number(cell);
            if (Number.isFinite(n)) value = n;
            else issues.push({ path: at, message: `is "${cell}"; must be a number (or empty when unknown)` });
            break;
          }
          case 'boolean': {
            const lower = cell.toLowerCase();
            if (TRUE.has(lower)) value = true;
            else if (FALSE.has(lower)) value = false;
            else issues.push({ path: at, message: `is "${cell}"; must be true/false (or 1/0)` });
            break;
          }
          case 'categorical':
            if (f.categories?.includes(cell)) value = cell;
            else issues.push({ path: at, message: `is "${cell}"; must be one of ${(f.categories ?? []).join(', ')}` });
            break;
        }
      }
      record[f.name] = value;
      columns[f.name]!.push(value);
    }
    if (labels !== null) {
      const cell = fields[index.get(label!)!]!.trim();
      const classes = options.labelClasses;
      if (cell !== '' && classes !== undefined && !classes.includes(cell) && !(/^\d+$/.test(cell) && Number(cell) < classes.length)) {
        issues.push({ path: `${file}: line ${line}, column ${label!}`, message: `is "${cell}"; must be a class (${classes.join(', ')}) or its index (0–${classes.length - 1})` });
      }
      labels.push(cell === '' ? null : cell);
    }
    out.push(record);
  }
  if (issues.length > 0) throw new InvalidPackageError(issues);
  return { columns, records: out, labels, rows: out.length };
}
