/**
 * An example pipeline as files in memory, and writing them to disk. Examples are built in
 * memory first so the digest of a data file can go into the manifest before anything is
 * written.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** File contents by `/`-separated path inside the example's folder. */
export type ExampleFiles = Map<string, string | Uint8Array>;

/** `sha256:<hex>` of the content (strings as UTF-8), the digest format lineage uses. */
export function sha256Digest(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** Writes every file under `dir`, creating folders; returns the paths written. */
export async function writeExampleFiles(dir: string, files: ExampleFiles): Promise<string[]> {
  const written: string[] = [];
  for (const [path, content] of files) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    written.push(target);
  }
  return written;
}
