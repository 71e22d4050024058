/**
 * Which fairness group a row belongs to for one protected attribute. Categorical and
 * boolean attributes group by value; a numeric one (age) by the manifest's privileged
 * range, so `{ min: 25 }` splits rows into "age ≥ 25" (privileged) and "age < 25".
 */
import type { ProtectedAttributeSpec } from '@slipway/core';
import { groupKey } from './fairness.js';

/** The name of a numeric privileged range: `age ≥ 25`, `age < 65`, `25 ≤ age < 65`. */
export function rangeName(name: string, range: { min?: number | undefined; max?: number | undefined }): string {
  if (range.min !== undefined && range.max !== undefined) return `${range.min} ≤ ${name} < ${range.max}`;
  if (range.min !== undefined) return `${name} ≥ ${range.min}`;
  return `${name} < ${range.max}`;
}

/** The complement's name: `age < 25` for `{ min: 25 }`, `age ≥ 65` for `{ max: 65 }`, else "not …". */
function outsideName(name: string, range: { min?: number | undefined; max?: number | undefined }): string {
  if (range.max === undefined) return `${name} < ${range.min}`;
  if (range.min === undefined) return `${name} ≥ ${range.max}`;
  return `not ${rangeName(name, range)}`;
}

/** The group names that count as privileged. */
export function privilegedGroups(attribute: ProtectedAttributeSpec): string[] {
  return Array.isArray(attribute.privileged) ? [...attribute.privileged] : [rangeName(attribute.name, attribute.privileged)];
}

/** The group of one value; null, empty and non-numeric values of a range attribute form "(missing)". */
export function attributeGroup(attribute: ProtectedAttributeSpec, value: unknown): string {
  const p = attribute.privileged;
  if (Array.isArray(p)) return groupKey(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return groupKey(null);
  const inside = (p.min === undefined || value >= p.min) && (p.max === undefined || value < p.max);
  return inside ? rangeName(attribute.name, p) : outsideName(attribute.name, p);
}
