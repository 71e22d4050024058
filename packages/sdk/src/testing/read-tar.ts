/** Test support: reads a tar with tar-stream, the reader the server uses, so the two are checked to agree. */
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';

export interface ReadEntry {
  name: string;
  type: string | null | undefined;
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  mtime: number | undefined;
  data: Buffer;
}

export async function readTar(bytes: Uint8Array): Promise<ReadEntry[]> {
  const entries: ReadEntry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        entries.push({ name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime?.getTime(), data: Buffer.concat(chunks) });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([Buffer.from(bytes)]).pipe(ex);
  await done;
  return entries;
}

