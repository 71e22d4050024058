/** `slipway push <dir>`: packs a package folder, with lineage from flags, and pushes it. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { type FieldIssue, InvalidInputError, type PushResponse } from '@slipway/core';
import { type LineageOverrides, packPackage } from '@slipway/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { type DeliveryFlags, deliverPushed, describeDelivery, parseSeconds } from './push-delivery.js';

export interface PushFlags {
  codeCommit?: string;
  codeRepository?: string;
  datasetUri?: string;
  datasetDigest?: string;
  param: string[];
  metric: string[];
  retrains?: string;
  incident?: string;
}

function splitPair(text: string, flag: string, issues: FieldIssue[]): [string, string] | undefined {
  const eq = text.indexOf('=');
  if (eq > 0) return [text.slice(0, eq), text.slice(eq + 1)];
  issues.push({ path: flag, message: `"${text}" must look like key=value` });
  return undefined;
}

/** `true`/`false` and numbers keep their type, so `--param epochs=200` records a number. */
function parseScalar(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** Turns push flags into lineage overrides, reporting every bad `--param`/`--metric` at once. */
export function lineageFromFlags(flags: PushFlags): LineageOverrides {
  const issues: FieldIssue[] = [];
  const parameters: Record<string, string | number | boolean> = {};
  const metrics: Record<string, number> = {};
  for (const text of flags.param) {
    const pair = splitPair(text, '--param', issues);
    if (pair) parameters[pair[0]] = parseScalar(pair[1]);
  }
  for (const text of flags.metric) {
    const pair = splitPair(text, '--metric', issues);
    const n = pair && pair[1].trim() !== '' ? Number(pair[1]) : NaN;
    if (pair && Number.isFinite(n)) metrics[pair[0]] = n;
    else if (pair) issues.push({ path: '--metric', message: `${pair[0]}: "${pair[1]}" is not a number` });
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  const dataset = flags.datasetUri !== undefined || flags.datasetDigest !== undefined ? { uri: flags.datasetUri, digest: flags.datasetDigest } : undefined;
  return {
    ...(flags.codeCommit !== undefined ? { codeCommit: flags.codeCommit } : {}),
    ...(flags.codeRepository !== undefined ? { codeRepository: flags.codeRepository } : {}),
    ...(dataset !== undefined ? { dataset } : {}),
    ...(flags.param.length > 0 ? { parameters } : {}),
    ...(flags.metric.length > 0 ? { metrics } : {}),
    ...(flags.retrains !== undefined ? { retrains: flags.retrains } : {}),
    ...(flags.incident !== undefined ? { incident: flags.incident } : {}),
  };
}

/** The commit checked out where the package lives, when it is in a git repository; best-effort. */
async function gitHead(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 5000 });
    const sha = stdout.trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined; // no git, not a repository, or no commit yet
  }
}

export function formatPush(response: PushResponse): string {
  return response.created ? response.ref : `${response.ref} (unchanged: identical to ${response.ref})`;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPushCommand(program: Command, context: CommandContext): void {
  program
    .command('push')
    .description('pack a package folder and push it as a new version (an unchanged folder keeps its version)')
    .argument('<dir>', 'the package folder, holding slipway.yaml')
    .option('--code-commit <sha>', 'commit of the training code (default: the git HEAD of <dir>, unless slipway.yaml names one)')
    .option('--code-repository <url>', 'where the training code lives')
    .option('--dataset-uri <uri>', 'the training data')
    .option('--dataset-digest <digest>', 'digest of the training data, e.g. sha256:…')
    .option('--param <key=value>', 'a training parameter; repeatable', collect, [])
    .option('--metric <key=value>', 'an evaluation metric, a number; repeatable', collect, [])
    .option('--retrains <ref>', 'the version this one retrains, e.g. credit-risk:v3 (lineage.retrains)')
    .option('--incident <id>', 'the incident that asked for the retraining; the push is recorded on its timeline (lineage.incident)')
    .option('--promote <alias>', 'then point <alias> (e.g. staging) at the pushed version; promotion gates and policies apply')
    .option('--wait-healthy', 'then wait until the version (the alias, with --promote) is loaded and answers a sample run; for CI gates')
    .option('--health-timeout <seconds>', 'how long --wait-healthy waits (default 120)', parseSeconds)
    .action(async (dir: string, flags: PushFlags & DeliveryFlags) => {
      const path = resolve(context.io.cwd, dir);
      const lineage = lineageFromFlags(flags);
      const commit = flags.codeCommit === undefined ? await gitHead(path) : undefined;
      const tar = await packPackage(path, { lineage, lineageDefaults: commit === undefined ? undefined : { codeCommit: commit } });
      const client = context.client();
      const response = await client.push(tar);
      if (flags.promote === undefined && flags.waitHealthy !== true) {
        context.output().result(response, () => [formatPush(response)]);
        return;
      }
      const delivered = await deliverPushed(client, response, flags);
      context.output().result({ ...response, ...delivered }, () => [formatPush(response), ...describeDelivery(response, delivered)]);
    });
}
