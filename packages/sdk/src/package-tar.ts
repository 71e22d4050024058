/**
 * Packs a package folder into the tar that `push` sends. Deterministic (sorted files,
 * fixed headers) so an unchanged folder pushes as an unchanged version. Dot-files are
 * left out; symlinks pointing inside the package are stored as the files they point to,
 * and links leaving it are refused, because the server accepts no links.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ErrorCode, MANIFEST_FILE, SlipwayError } from '@slipway/core';
import { applyLineage, isEmptyLineage, type LineageOverrides } from './lineage-overrides.js';
import { createTar, type TarEntry } from './tar-writer.js';

export interface PackOptions {
  /** Lineage that wins over the manifest's (command-line flags). Default none. */
  lineage?: LineageOverrides;
  /** Lineage used only where the manifest and `lineage` say nothing (e.g. the git commit). Default none. */
  lineageDefaults?: LineageOverrides;
}

interface FileRef {
  /** `/`-separated path inside the package. */
  path: string;
  /** Where to read it: the file itself, or a symlink's resolved target. */
  source: string;
}

const refuse = (message: string, details: Record<string, unknown>) => new SlipwayError(ErrorCode.invalidPackage, message, { details });

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

async function listFiles(root: string): Promise<FileRef[]> {
  const files: FileRef[] = [];
  const inside = (target: string) => target === root || target.startsWith(root + sep);

  // `ancestors` holds the real folders on the current path, to stop symlink cycles.
  async function walk(dir: string, prefix: string, ancestors: ReadonlySet<string>): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      const path = prefix + entry.name;
      if (entry.isDirectory()) {
        await walk(full, `${path}/`, new Set([...ancestors, full]));
      } else if (entry.isFile()) {
        files.push({ path, source: full });
      } else if (entry.isSymbolicLink()) {
        await followLink(full, path, ancestors);
      } else {
        throw refuse(`${path} is not a regular file (a socket, pipe or device); remove it from the package`, { path });
      }
    }
  }

  async function followLink(link: string, path: string, ancestors: ReadonlySet<string>): Promise<void> {
    let target: string;
    try {
      target = await realpath(link);
    } catch (error) {
      throw refuse(`${path} is a symlink to a missing file; remove it or point it at a file inside the package`, { path, reason: errnoCode(error) });
    }
    const info = await stat(target);
    if (!inside(target)) {
      throw refuse(
        `${path} is a symlink to ${target}, outside the package; copy the ${info.isDirectory() ? 'folder' : 'file'} into the package instead of linking it`,
        { path, target },
      );
    }
    if (info.isFile()) files.push({ path, source: target });
    else if (!info.isDirectory()) throw refuse(`${path} links to something that is not a file or folder; remove it from the package`, { path, target });
    else if (ancestors.has(target)) throw refuse(`${path} is a symlink to a folder containing it, a loop; remove the link`, { path, target });
    else await walk(target, `${path}/`, new Set([...ancestors, target]));
  }

  await walk(root, '', new Set([root]));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function packageRoot(dir: string): Promise<string> {
  try {
    const root = await realpath(dir);
    if ((await stat(root)).isDirectory()) return root;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    throw refuse(`package folder ${dir} does not exist`, { dir });
  }
  throw refuse(`${dir} is not a folder; push the folder that holds ${MANIFEST_FILE}`, { dir });
}

/**
 * Makes an uncompressed tar of the package folder `dir`, which must hold `slipway.yaml`.
 * With lineage options, the manifest is rewritten with that lineage merged in.
 */
export async function packPackage(dir: string, options: PackOptions = {}): Promise<Uint8Array> {
  const root = await packageRoot(dir);
  const files = await listFiles(root);
  if (!files.some((f) => f.path === MANIFEST_FILE)) {
    throw refuse(`${dir} has no ${MANIFEST_FILE}; create one with \`slipway init ${dir}\` or push the folder that holds it`, { dir });
  }
  const rewrite = !isEmptyLineage(options.lineage) || !isEmptyLineage(options.lineageDefaults);
  // One file at a time: a package can hold thousands, more than the open-file limit.
  const entries: TarEntry[] = [];
  for (const f of files) {
    const data = await readFile(f.source);
    if (f.path === MANIFEST_FILE && rewrite) {
      const text = applyLineage(data.toString('utf8'), { overrides: options.lineage, defaults: options.lineageDefaults });
      entries.push({ path: f.path, data: new TextEncoder().encode(text) });
    } else {
      entries.push({ path: f.path, data });
    }
  }
  return createTar(entries);
}

