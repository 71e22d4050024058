/**
 * Pushes the example packages at start-up and points `@production` at them when that
 * alias does not exist yet (a user's own move is never undone). Pushing is idempotent,
 * so restarting never duplicates versions. An example that a policy keeps out of
 * production (credit-risk uses sex, age and marital status, which the default
 * Regulation B policy forbids there) is pointed at `@staging` instead: the start command
 * never records an exception the user did not make.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, MANIFEST_FILE, isSlipwayError } from '@slipway/core';
import type { ServingEngine } from '@slipway/serving';
import type { PackageFiles } from './package-reader.js';
import type { Registry } from './registry.js';

export const EXAMPLE_ALIAS = 'production';
/** Where an example goes when policies keep it out of `EXAMPLE_ALIAS`. */
export const EXAMPLE_FALLBACK_ALIAS = 'staging';

async function readPackageDir(dir: string, prefix = '', files: PackageFiles = new Map()): Promise<PackageFiles> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix + entry.name;
    if (entry.isDirectory()) await readPackageDir(join(dir, entry.name), `${path}/`, files);
    else if (entry.isFile()) files.set(path, await readFile(join(dir, entry.name)));
  }
  return files;
}

export async function deployExamples(dir: string, registry: Registry, engine: ServingEngine): Promise<{ ref: string; created: boolean }[]> {
  const deployed: { ref: string; created: boolean }[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const files = await readPackageDir(join(dir, entry.name));
    if (!files.has(MANIFEST_FILE)) continue;
    const { version, created } = await registry.push(files, 'system');
    const alias = await pointExampleAlias(registry, version.pipeline, version.version);
    await engine.warm(await registry.resolve(`${version.pipeline}@${alias}`)); // warm before the first request
    deployed.push({ ref: `${version.pipeline}@${alias}`, created });
  }
  return deployed;
}

/** The alias the example serves under: production, unless a policy refuses it there. */
async function pointExampleAlias(registry: Registry, pipeline: string, version: number): Promise<string> {
  const aliases = await registry.listAliases(pipeline);
  if (aliases.some((a) => a.alias === EXAMPLE_ALIAS)) return EXAMPLE_ALIAS;
  try {
    await registry.setAlias(pipeline, EXAMPLE_ALIAS, version, 'system');
    return EXAMPLE_ALIAS;
  } catch (error) {
    if (!isSlipwayError(error) || error.code !== ErrorCode.forbidden) throw error;
  }
  if (!aliases.some((a) => a.alias === EXAMPLE_FALLBACK_ALIAS)) await registry.setAlias(pipeline, EXAMPLE_FALLBACK_ALIAS, version, 'system');
  return EXAMPLE_FALLBACK_ALIAS;
}
