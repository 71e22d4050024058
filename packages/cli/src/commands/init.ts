/** `slipway init <dir>`: scaffolds a package folder. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { InvalidInputError } from '@slipway/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { packageTemplate, pipelineNameFor } from '../package-template.js';

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return true;
    throw error;
  }
}

export function registerInitCommand(program: Command, context: CommandContext): void {
  program
    .command('init')
    .description('create a package folder with a commented slipway.yaml and a README')
    .argument('<dir>', 'the folder to create; its name becomes the pipeline name')
    .action(async (dir: string) => {
      const path = resolve(context.io.cwd, dir);
      if (!(await isEmptyOrMissing(path))) {
        throw new InvalidInputError([{ path: dir, message: 'already exists and is not empty; choose a new folder (nothing was overwritten)' }]);
      }
      const name = pipelineNameFor(basename(path));
      const files = packageTemplate(name);
      await mkdir(path, { recursive: true });
      for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text, { flag: 'wx' });
      const shown = relative(context.io.cwd, path) || '.';
      context.output().result({ dir: path, name, files: Object.keys(files) }, () => [
        `created ${Object.keys(files).map((f) => join(shown, f)).join(' and ')} for pipeline "${name}"`,
        `next: copy your ONNX model to ${join(shown, 'model.onnx')}, then run \`slipway push ${shown}\``,
      ]);
    });
}
