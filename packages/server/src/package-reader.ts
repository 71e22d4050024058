/**
 * Reads a pushed package (an uncompressed tar) into memory, refusing anything that could
 * write outside the package or smuggle links: absolute paths, `..` segments, symlinks,
 * hard links and device files. Limits bound the file count and total size.
 */
import { Readable } from 'node:stream';
import { InvalidPackageError, type FieldIssue } from '@slipway/core';
import { extract } from 'tar-stream';

/** Files of a package by `/`-separated relative path. */
export type PackageFiles = Map<string, Uint8Array>;

export interface PackageLimits {
  /** Most files a package may hold. */
  maxFiles: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = { maxFiles: 10_000 };

/** Normalises an entry name; returns an issue instead when it points outside the package. */
export function normalisePackagePath(name: string): string | FieldIssue {
  const path = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const parts = path.split('/');
  if (path === '' || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.includes('\\') || name.includes('\0')) {
    return { path: name, message: 'is not a relative path inside the package' };
  }
  if (parts.some((p) => p === '..' || p === '.' || p === '')) {
    return { path: name, message: 'escapes the package (".." or empty segments are not allowed)' };
  }
  return path;
}

export async function readPackageTar(bytes: Uint8Array, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS): Promise<PackageFiles> {
  const files: PackageFiles = new Map();
  const issues: FieldIssue[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('error', reject);
      stream.on('end', () => {
        const path = normalisePackagePath(header.name);
        if (typeof path !== 'string') issues.push(path);
        else if (header.type === 'file' || header.type === 'contiguous-file') {
          if (files.has(path)) issues.push({ path, message: 'appears twice in the package' });
          else if (files.size >= limits.maxFiles) issues.push({ path, message: `exceeds the limit of ${limits.maxFiles} files per package` });
          else files.set(path, Buffer.concat(chunks));
        } else if (header.type === 'symlink' || header.type === 'link') {
          issues.push({ path, message: `is a ${header.type === 'link' ? 'hard link' : 'symbolic link'}; package links are not allowed — copy the file into the package instead` });
        } else if (header.type !== 'directory') {
          issues.push({ path, message: `is a ${header.type ?? 'special'} entry; packages may hold only files and folders` });
        }
        next();
      });
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', (err: Error) => reject(new InvalidPackageError([{ path: '(package)', message: `is not a valid tar archive: ${err.message}` }], { cause: err })));
  });
  Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]).pipe(ex);
  await done;
  if (issues.length > 0) throw new InvalidPackageError(issues);
  return files;
}
