/**
 * Writes `slipway.yaml` for the examples. Keys keep the order they are given in, so the
 * file reads top-down like the manifest reference, and the output is checked by parsing
 * it back with the platform's own parser: a written manifest is always one Slipway accepts,
 * with exactly the values intended.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Manifest, parseManifest, validateManifest } from '@slipway/core';

type Value = string | number | boolean | Value[] | { [key: string]: Value | undefined };

/** Strings YAML would read as something else (booleans, null, numbers) must be quoted. */
const AMBIGUOUS = /^(true|false|null|yes|no|on|off|y|n|~|[-+.]?\d.*|\.(inf|nan))$/i;
/** Plain (unquoted) scalars: letters, digits and punctuation that YAML gives no meaning here. */
const PLAIN = /^[\p{L}\p{N}][\p{L}\p{N} _.,()/'+–—-]*(?<! )$/u;
/** Inside `[a, b]` a comma would split the item, so flow items are stricter. */
const PLAIN_FLOW = /^[\p{L}\p{N}][\p{L}\p{N}_./-]*$/u;

function scalar(v: string | number | boolean, flow: boolean): string {
  if (typeof v !== 'string') return String(v);
  return (flow ? PLAIN_FLOW : PLAIN).test(v) && !AMBIGUOUS.test(v) ? v : JSON.stringify(v);
}

/** Long prose (descriptions) reads better folded over several lines than on one quoted line. */
const FOLD_AT = 88;

/** A `>-` folded block: single spaces become line breaks, which the reader folds back. */
function folded(v: string, indent: string): string[] | undefined {
  if (v.length <= FOLD_AT || /\s\s|[\n\r\t]|^\s|\s$/.test(v)) return undefined;
  const out: string[] = [];
  let line = '';
  for (const word of v.split(' ')) {
    if (line !== '' && indent.length + 2 + line.length + 1 + word.length > FOLD_AT) {
      out.push(`${indent}  ${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  out.push(`${indent}  ${line}`);
  return out;
}

function isScalar(v: Value): v is string | number | boolean {
  return typeof v !== 'object';
}

function lines(value: Value, indent: string): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      // A mapping in a list starts on the dash line; its other keys align under the first.
      const [first = '', ...rest] = isScalar(item) ? [scalar(item, false)] : lines(item, '');
      out.push(`${indent}- ${first}`, ...rest.map((l) => `${indent}  ${l}`));
    }
    return out;
  }
  if (isScalar(value)) return [`${indent}${scalar(value, false)}`];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const k = scalar(key, false);
    const block = typeof v === 'string' ? folded(v, indent) : undefined;
    if (block) out.push(`${indent}${k}: >-`, ...block);
    else if (isScalar(v)) out.push(`${indent}${k}: ${scalar(v, false)}`);
    else if (Array.isArray(v) && v.every(isScalar)) out.push(`${indent}${k}: [${v.map((s) => scalar(s, true)).join(', ')}]`);
    else if (Object.keys(v).length === 0) out.push(`${indent}${k}: {}`);
    else out.push(`${indent}${k}:`, ...lines(v, `${indent}  `));
  }
  return out;
}

/**
 * Renders a manifest as YAML, after `#`-comment lines from `header`. Throws when the
 * manifest is invalid or the text would not parse back to the same manifest.
 */
export function renderManifest(manifest: Manifest, header: readonly string[] = []): string {
  const expected = validateManifest(manifest);
  const text = [...header.map((h) => `# ${h}`), ...lines(manifest, '')].join('\n') + '\n';
  if (!isDeepStrictEqual(parseManifest(text), expected)) throw new Error('renderManifest: the YAML does not parse back to the manifest');
  return text;
}
