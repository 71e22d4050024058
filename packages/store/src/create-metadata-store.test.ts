import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '@slipway/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetadataStore } from './create-metadata-store.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-url-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createMetadataStore', () => {
  it.each([
    ['sqlite:<path>', (path: string) => `sqlite:${path}`],
    ['a plain path', (path: string) => path],
  ])('opens SQLite for %s', async (_, urlOf) => {
    const path = join(dir, `${Math.random()}.db`);
    const store = createMetadataStore(urlOf(path));
    try {
      expect(store.kind).toBe('sqlite');
      await store.migrate();
      expect(existsSync(path)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it.each(['postgres://u@127.0.0.1:1/db', 'postgresql://u@127.0.0.1:1/db'])('opens PostgreSQL for %s without connecting yet', async (url) => {
    const store = createMetadataStore(url);
    expect(store.kind).toBe('postgres');
    await store.close();
  });

  it('refuses other schemes without quoting the rest of the URL', () => {
    const attempt = () => createMetadataStore('mysql://root:hunter2@db/slipway');
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow('scheme "mysql:" is not supported; use postgres://');
    expect(attempt).not.toThrow(/hunter2/);
  });

  it.each(['', 'sqlite:'])('refuses an empty location (%j)', (url) => {
    expect(() => createMetadataStore(url)).toThrow(/metadata store URL: is empty/);
  });
});
