/**
 * The shipped CI examples (`examples/ci/`) must only use commands and flags the CLI has:
 * every `slipway …` invocation in the GitHub Actions workflow and the shell script is
 * split into words and checked against the commander program.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createProgram } from './main.js';

const CI = fileURLToPath(new URL('../../../examples/ci/', import.meta.url));

/** Shell words of a command line: quotes group, `\`+newline continues; `$(…)` stays one word. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let depth = 0;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === '\\' && line[i + 1] === '\n') {
      i++;
    } else if (c === '(' && line[i - 1] === '$') {
      depth++;
      word += c;
    } else if (c === ')' && depth > 0) {
      depth--;
      word += c;
    } else if (/\s/.test(c) && depth === 0) {
      if (started || word !== '') words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
    }
  }
  if (started || word !== '') words.push(word);
  return words;
}

/** The words after each `slipway` in a script, one list per invocation (up to `;`, `&&`, `|` or a newline). */
export function slipwayInvocations(script: string): string[][] {
  return script
    .replace(/\\\n/g, ' ')
    .split(/\n|&&|;|\|/)
    .map((line) => shellWords(line.trim()))
    .filter((words) => words.includes('slipway'))
    .map((words) => words.slice(words.indexOf('slipway') + 1));
}

/** Problems with one invocation: unknown command, unknown flag, missing flag value. */
function checkInvocation(program: Command, words: readonly string[]): string[] {
  let command = program;
  let i = 0;
  for (; i < words.length; i++) {
    const sub = command.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i] ?? ''));
    if (sub === undefined) break;
    command = sub;
  }
  if (command === program) return [`"slipway ${words.join(' ')}": no command "${words[0] ?? ''}"`];
  const problems: string[] = [];
  const options = [...command.options, ...program.options];
  for (; i < words.length; i++) {
    const word = words[i] ?? '';
    if (!word.startsWith('--')) continue;
    const name = word.split('=')[0];
    const option = options.find((o) => o.long === name);
    if (option === undefined) problems.push(`"slipway ${command.name()}": no flag ${name}`);
    else if ((option.required || option.optional) && !word.includes('=')) i++;
  }
  return problems;
}

const program = createProgram({ stdout: () => {}, stderr: () => {}, env: {}, cwd: process.cwd() });

describe('examples/ci', () => {
  it('the GitHub Actions workflow pushes with --promote and --wait-healthy using only real commands and flags', async () => {
    const workflow = parse(await readFile(`${CI}github-actions.yml`, 'utf8')) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const invocations = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run === undefined ? [] : slipwayInvocations(s.run))));
    expect(invocations.length).toBeGreaterThanOrEqual(2);
    expect(invocations.some((w) => w[0] === 'push' && w.includes('--promote') && w.includes('--wait-healthy'))).toBe(true);
    expect(invocations.flatMap((w) => checkInvocation(program, w))).toEqual([]);
  });

  it('the shell script does the same', async () => {
    const invocations = slipwayInvocations(await readFile(`${CI}push-and-promote.sh`, 'utf8'));
    expect(invocations.some((w) => w[0] === 'push' && w.includes('--promote') && w.includes('--wait-healthy'))).toBe(true);
    expect(invocations.flatMap((w) => checkInvocation(program, w))).toEqual([]);
  });

  it('catches a flag the CLI does not have', () => {
    expect(checkInvocation(program, ['push', 'dir', '--promote', 'staging', '--wait-healty'])).toEqual(['"slipway push": no flag --wait-healty']);
    expect(checkInvocation(program, ['deploi', 'x'])).toEqual(['"slipway deploi x": no command "deploi"']);
    expect(slipwayInvocations('npx slipway push "my dir" \\\n  --code-commit "$(git rev-parse HEAD)" && echo ok')).toEqual([['push', 'my dir', '--code-commit', '$(git rev-parse HEAD)']]);
  });
});
