import { isSlipwayError } from '@slipway/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTar } from './testing/read-tar.js';
import { createTar } from './tar-writer.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('createTar', () => {
  it('writes fixed headers: mode 0644, uid/gid 0, mtime 0', async () => {
    const [entry] = await readTar(createTar([{ path: 'a/b.txt', data: bytes('hello') }]));
    expect(entry).toMatchObject({ name: 'a/b.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0 });
    expect(entry?.data.toString()).toBe('hello');
  });

  it('writes an empty archive as the end marker only', () => {
    expect(createTar([])).toEqual(new Uint8Array(1024));
  });

  it('stores paths longer than 100 bytes in the ustar prefix', async () => {
    const path = `${'d'.repeat(120)}/${'f'.repeat(90)}.bin`;
    const [entry] = await readTar(createTar([{ path, data: bytes('x') }]));
    expect(entry?.name).toBe(path);
  });

  it('refuses a path that does not fit ustar, naming it', () => {
    const path = `${'d'.repeat(200)}/${'f'.repeat(120)}`;
    expect(() => createTar([{ path, data: bytes('') }])).toThrow(/too long.*shorten/);
    try {
      createTar([{ path, data: bytes('') }]);
    } catch (error) {
      expect(isSlipwayError(error) && error.code).toBe('invalid_package');
    }
  });

  it('round-trips any files through tar-stream', async () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9_-][a-zA-Z0-9._é-]{0,30}$/);
    const files = fc.uniqueArray(
      fc.record({ path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')), data: fc.uint8Array({ maxLength: 1500 }) }),
      { selector: (f) => f.path, maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(files, async (entries) => {
        const read = await readTar(createTar(entries));
        expect(read.map((e) => [e.name, [...e.data]])).toEqual(entries.map((e) => [e.path, [...e.data]]));
      }),
      { numRuns: 50 },
    );
  });
});
