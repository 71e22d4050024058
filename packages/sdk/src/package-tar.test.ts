import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, SlipwayError } from '@slipway/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packPackage } from './package-tar.js';
import { readTar } from './testing/read-tar.js';

let tmp: string;
let pkg: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'slipway-pack-'));
  pkg = join(tmp, 'pkg');
  await mkdir(join(pkg, 'weights'), { recursive: true });
  await writeFile(join(pkg, 'slipway.yaml'), 'name: demo\nmodel: weights/model.onnx\n');
  await writeFile(join(pkg, 'weights', 'model.onnx'), 'ONNX');
  await writeFile(join(pkg, 'README.md'), '# demo\n');
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function names(dir: string): Promise<string[]> {
  return (await readTar(await packPackage(dir))).map((e) => e.name);
}

async function packError(dir: string, options = {}): Promise<SlipwayError> {
  const error: unknown = await packPackage(dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SlipwayError)) throw new Error(`expected a SlipwayError, got ${String(error)}`);
  return error;
}

describe('packPackage', () => {
  it('stores files sorted, with fixed headers', async () => {
    const entries = await readTar(await packPackage(pkg));
    expect(entries.map((e) => e.name)).toEqual(['README.md', 'slipway.yaml', 'weights/model.onnx']);
    for (const e of entries) expect(e).toMatchObject({ type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0 });
    expect(entries[2]?.data.toString()).toBe('ONNX');
  });

  it('makes the same bytes for the same content, whatever the timestamps', async () => {
    const first = await packPackage(pkg);
    await utimes(join(pkg, 'README.md'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(await packPackage(pkg)).toEqual(first);
    await writeFile(join(pkg, 'README.md'), '# changed\n');
    expect(await packPackage(pkg)).not.toEqual(first);
  });

  it('leaves out dot-files and dot-folders at any depth', async () => {
    await mkdir(join(pkg, '.git'), { recursive: true });
    await writeFile(join(pkg, '.git', 'HEAD'), 'ref: main');
    await writeFile(join(pkg, '.DS_Store'), '');
    await writeFile(join(pkg, 'weights', '.cache'), '');
    expect(await names(pkg)).toEqual(['README.md', 'slipway.yaml', 'weights/model.onnx']);
  });

  it('stores a symlink pointing inside the package as the file it points to', async () => {
    await symlink(join(pkg, 'weights', 'model.onnx'), join(pkg, 'model.onnx'));
    await symlink('weights', join(pkg, 'linked'));
    const entries = await readTar(await packPackage(pkg));
    expect(entries.map((e) => [e.name, e.type, e.data.toString()])).toEqual([
      ['README.md', 'file', '# demo\n'],
      ['linked/model.onnx', 'file', 'ONNX'],
      ['model.onnx', 'file', 'ONNX'],
      ['slipway.yaml', 'file', 'name: demo\nmodel: weights/model.onnx\n'],
      ['weights/model.onnx', 'file', 'ONNX'],
    ]);
  });

  it('refuses a symlink leaving the package, naming it and the fix', async () => {
    await writeFile(join(tmp, 'outside.csv'), 'a,b');
    await symlink(join(tmp, 'outside.csv'), join(pkg, 'weights', 'data.csv'));
    const error = await packError(pkg);
    expect(error.code).toBe('invalid_package');
    expect(error.message).toMatch(/^weights\/data\.csv is a symlink to .*outside\.csv, outside the package; copy the file into the package/);
  });

  it('refuses a symlink to a folder outside the package', async () => {
    await mkdir(join(tmp, 'shared'));
    await symlink(join(tmp, 'shared'), join(pkg, 'shared'));
    const error = await packError(pkg);
    expect(error.code).toBe('invalid_package');
    expect(error.message).toMatch(/^shared is a symlink to .*, outside the package; copy the folder/);
  });

  it('refuses dangling symlinks and symlink loops', async () => {
    await symlink(join(pkg, 'nowhere'), join(pkg, 'dangling'));
    expect((await packError(pkg)).message).toMatch(/^dangling is a symlink to a missing file/);
    await rm(join(pkg, 'dangling'));
    await symlink('..', join(pkg, 'weights', 'up'));
    expect((await packError(pkg)).message).toMatch(/^weights\/up is a symlink to a folder containing it/);
  });

  it('requires slipway.yaml at the root', async () => {
    await rm(join(pkg, 'slipway.yaml'));
    const error = await packError(pkg);
    expect(error.code).toBe('invalid_package');
    expect(error.message).toContain('has no slipway.yaml; create one with `slipway init');
  });

  it('names a folder that does not exist', async () => {
    const error = await packError(join(tmp, 'missing'));
    expect(error.message).toMatch(/package folder .*missing does not exist/);
    expect((await packError(join(pkg, 'README.md'))).message).toMatch(/is not a folder/);
  });

  describe('lineage', () => {
    async function manifestOf(tar: Uint8Array) {
      const entry = (await readTar(tar)).find((e) => e.name === 'slipway.yaml');
      return parseManifest(entry?.data.toString() ?? '');
    }

    it('sends the manifest unchanged without lineage options', async () => {
      const entry = (await readTar(await packPackage(pkg, { lineage: {} }))).find((e) => e.name === 'slipway.yaml');
      expect(entry?.data.toString()).toBe('name: demo\nmodel: weights/model.onnx\n');
    });

    it('merges flags over the file and the file over defaults', async () => {
      await writeFile(
        join(pkg, 'slipway.yaml'),
        'name: demo # the pipeline\nlineage:\n  codeCommit: from-file\n  parameters: { depth: 3, lr: 0.1 }\n  metrics: { auc: 0.8 }\n',
      );
      const manifest = await manifestOf(
        await packPackage(pkg, {
          lineage: { parameters: { lr: 0.01 }, metrics: { f1: 0.7 }, dataset: { uri: 's3://data/train.csv', digest: 'sha256:ab' } },
          lineageDefaults: { codeCommit: 'from-git', codeRepository: 'https://git.example/demo' },
        }),
      );
      expect(manifest.name).toBe('demo');
      expect(manifest.lineage).toEqual({
        codeCommit: 'from-file',
        codeRepository: 'https://git.example/demo',
        dataset: { uri: 's3://data/train.csv', digest: 'sha256:ab' },
        parameters: { depth: 3, lr: 0.01 },
        metrics: { auc: 0.8, f1: 0.7 },
      });
    });

    it('is deterministic with lineage too', async () => {
      const options = { lineage: { codeCommit: 'abc' } };
      expect(await packPackage(pkg, options)).toEqual(await packPackage(pkg, options));
    });

    it('needs a dataset uri for a dataset digest', async () => {
      const error = await packError(pkg, { lineage: { dataset: { digest: 'sha256:ab' } } });
      expect(error.code).toBe('invalid_package');
      expect(error.message).toContain('lineage.dataset.uri: is required with a dataset digest');
    });

    it('reports a broken manifest naming the field', async () => {
      await writeFile(join(pkg, 'slipway.yaml'), 'name: Not Valid\n');
      const error = await packError(pkg, { lineage: { codeCommit: 'abc' } });
      expect(error.code).toBe('invalid_package');
      expect(error.message).toContain('slipway.yaml: name');
    });
  });
});
