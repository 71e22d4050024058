/**
 * A minimal, deterministic ustar writer: regular files only, every header identical but
 * for name and size (mode 0644, uid/gid 0, mtime 0, no user names), so the same files
 * always make the same bytes and pushing an unchanged folder is recognised as unchanged.
 */
import { InvalidPackageError } from '@slipway/core';

export interface TarEntry {
  /** `/`-separated path inside the archive. */
  path: string;
  data: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();
// ustar stores sizes as 11 octal digits.
const MAX_SIZE = 0o77777777777;

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** Splits a path into ustar's `prefix` (≤155 bytes) and `name` (≤100 bytes) at a `/`. */
function splitPath(path: string): { prefix: string; name: string } {
  if (encoder.encode(path).length <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (encoder.encode(prefix).length > 155) break;
    if (name !== '' && encoder.encode(name).length <= 100) return { prefix, name };
  }
  throw new InvalidPackageError([
    { path, message: 'is too long for a package archive (at most 100 bytes of file name and 155 of folders); shorten it' },
  ]);
}

function writeString(header: Uint8Array, offset: number, text: string): void {
  header.set(encoder.encode(text), offset);
}

function writeOctal(header: Uint8Array, offset: number, width: number, value: number): void {
  writeString(header, offset, `${value.toString(8).padStart(width - 1, '0')}\0`);
}

function header(path: string, size: number): Uint8Array {
  if (size > MAX_SIZE) throw new InvalidPackageError([{ path, message: `is ${size} bytes; package files must be under 8 GiB` }]);
  const { prefix, name } = splitPath(path);
  const h = new Uint8Array(BLOCK);
  writeString(h, 0, name);
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, 0);
  h.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  writeString(h, 156, '0');
  writeString(h, 257, 'ustar\u000000');
  writeString(h, 345, prefix);
  let checksum = 0;
  for (const byte of h) checksum += byte;
  writeString(h, 148, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** Writes the entries, in the order given, as an uncompressed tar. */
export function createTar(entries: readonly TarEntry[]): Uint8Array {
  let total = 2 * BLOCK; // end-of-archive marker
  for (const e of entries) total += BLOCK + padded(e.data.length);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const e of entries) {
    out.set(header(e.path, e.data.length), offset);
    out.set(e.data, offset + BLOCK);
    offset += BLOCK + padded(e.data.length);
  }
  return out;
}
