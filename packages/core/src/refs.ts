/**
 * Pipeline references as users write them: `credit-risk`, `credit-risk:v3` (or `:3`),
 * `credit-risk@production`. Every API that names a pipeline accepts all three.
 */
import { InvalidInputError } from './errors.js';
import { PIPELINE_NAME } from './pipeline-name.js';

export type VersionSelector =
  | { kind: 'latest' }
  | { kind: 'version'; version: number }
  | { kind: 'alias'; alias: string };

export interface PipelineRef {
  name: string;
  selector: VersionSelector;
}

/** Alias names: like pipeline names, but not `v<digits>` or digits (those read as versions). */
export const ALIAS_NAME = /^[a-z][a-z0-9._-]{0,62}$/;

export function parseVersion(text: string, field = 'version'): number {
  const m = /^v?(\d{1,9})$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidInputError([{ path: field, message: `"${text}" is not a version; write v1, v2, … (or 1, 2, …)` }]);
  }
  return n;
}

export function assertAliasName(alias: string, field = 'alias'): string {
  if (!ALIAS_NAME.test(alias) || /^v\d+$/.test(alias)) {
    throw new InvalidInputError([
      { path: field, message: `"${alias}" is not a valid alias; use a-z, 0-9, ".", "_", "-", starting with a letter, not v<number>` },
    ]);
  }
  return alias;
}

export function assertPipelineName(name: string, field = 'pipeline'): string {
  if (!PIPELINE_NAME.test(name)) {
    throw new InvalidInputError([
      { path: field, message: `"${name}" is not a valid pipeline name; use 1–63 characters of a-z, 0-9, ".", "_", "-"` },
    ]);
  }
  return name;
}

export function parsePipelineRef(text: string, field = 'pipeline'): PipelineRef {
  const at = text.indexOf('@');
  const colon = text.indexOf(':');
  if (at >= 0 && colon >= 0) {
    throw new InvalidInputError([{ path: field, message: `"${text}" names both a version and an alias; use name:vN or name@alias` }]);
  }
  if (at >= 0) {
    return { name: assertPipelineName(text.slice(0, at), field), selector: { kind: 'alias', alias: assertAliasName(text.slice(at + 1), field) } };
  }
  if (colon >= 0) {
    return { name: assertPipelineName(text.slice(0, colon), field), selector: { kind: 'version', version: parseVersion(text.slice(colon + 1), field) } };
  }
  return { name: assertPipelineName(text, field), selector: { kind: 'latest' } };
}

export function formatVersionRef(name: string, version: number): string {
  return `${name}:v${version}`;
}

export function formatRef(ref: PipelineRef): string {
  switch (ref.selector.kind) {
    case 'latest':
      return ref.name;
    case 'version':
      return formatVersionRef(ref.name, ref.selector.version);
    case 'alias':
      return `${ref.name}@${ref.selector.alias}`;
  }
}
