/**
 * Pushes the example packages at start-up and points `@production` at them when that
 * alias does not exist yet (a user's own move is never undone). Pushing is idempotent,
 * so restarting never duplicates versions.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '@slipway/core';
import type { ServingEngine } from '@slipway/serving';
import type { PackageFiles } from './package-reader.js';
import type { Registry } from './registry.js';

export const EXAMPLE_ALIAS = 'production';

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
    const aliases = await registry.listAliases(version.pipeline);
    if (!aliases.some((a) => a.alias === EXAMPLE_ALIAS)) await registry.setAlias(version.pipeline, EXAMPLE_ALIAS, version.version, 'system');
    await engine.warm(await registry.resolve(`${version.pipeline}@${EXAMPLE_ALIAS}`)); // warm before the first request
    deployed.push({ ref: `${version.pipeline}@${EXAMPLE_ALIAS}`, created });
  }
  return deployed;
}
